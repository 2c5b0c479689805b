-- SPECIFICATION.md §3.1, verbatim (the table names resolve in the oracle's scratch schema through search_path).
CREATE MATERIALIZED VIEW agent_comparison_matrix AS
WITH latest_benchmarks AS (
    SELECT 
        agent_id,
        benchmark_id,
        accuracy_score,
        speed_score,
        efficiency_score,
        cost_score,
        reliability_score,
        ROW_NUMBER() OVER (PARTITION BY agent_id, benchmark_id ORDER BY created_at DESC) as rn
    FROM benchmark_executions
    WHERE status = 'success'
),
benchmark_aggregates AS (
    SELECT 
        agent_id,
        AVG(accuracy_score) as avg_accuracy,
        AVG(speed_score) as avg_speed,
        AVG(efficiency_score) as avg_efficiency,
        AVG(cost_score) as avg_cost,
        AVG(reliability_score) as avg_reliability,
        COUNT(DISTINCT benchmark_id) as benchmarks_completed
    FROM latest_benchmarks
    WHERE rn = 1
    GROUP BY agent_id
),
rankings AS (
    SELECT 
        agent_id,
        avg_accuracy,
        avg_speed,
        avg_efficiency,
        avg_cost,
        avg_reliability,
        RANK() OVER (ORDER BY avg_accuracy DESC) as accuracy_rank,
        RANK() OVER (ORDER BY avg_speed DESC) as speed_rank,
        RANK() OVER (ORDER BY avg_efficiency DESC) as efficiency_rank,
        RANK() OVER (ORDER BY avg_cost DESC) as cost_rank,
        RANK() OVER (ORDER BY avg_reliability DESC) as reliability_rank,
        (avg_accuracy * 0.3 + avg_speed * 0.2 + avg_efficiency * 0.2 + 
         avg_cost * 0.15 + avg_reliability * 0.15) as overall_score
    FROM benchmark_aggregates
)
SELECT 
    *,
    RANK() OVER (ORDER BY overall_score DESC) as overall_rank
FROM rankings;
