-- SPECIFICATION.md §5.1, verbatim (the table names resolve in the oracle's scratch schema through search_path).
CREATE VIEW benchmark_leaderboard AS
WITH score_aggregates AS (
    SELECT 
        be.agent_id,
        a.name as agent_name,
        bs.category as benchmark_category,
        AVG(be.accuracy_score) as avg_accuracy,
        AVG(be.speed_score) as avg_speed,
        AVG(be.efficiency_score) as avg_efficiency,
        AVG(be.cost_score) as avg_cost,
        AVG(be.reliability_score) as avg_reliability,
        COUNT(DISTINCT be.benchmark_id) as benchmarks_completed,
        MAX(be.created_at) as last_benchmark_date
    FROM benchmark_executions be
    JOIN agents a ON be.agent_id = a.id
    JOIN benchmark_suites bs ON be.suite_id = bs.id
    WHERE be.created_at > NOW() - INTERVAL '30 days'
    GROUP BY be.agent_id, a.name, bs.category
),
category_rankings AS (
    SELECT 
        *,
        RANK() OVER (PARTITION BY benchmark_category ORDER BY avg_accuracy DESC) as accuracy_rank,
        RANK() OVER (PARTITION BY benchmark_category ORDER BY avg_speed DESC) as speed_rank,
        RANK() OVER (PARTITION BY benchmark_category ORDER BY avg_efficiency DESC) as efficiency_rank,
        RANK() OVER (PARTITION BY benchmark_category ORDER BY avg_cost DESC) as cost_rank,
        RANK() OVER (PARTITION BY benchmark_category ORDER BY avg_reliability DESC) as reliability_rank
    FROM score_aggregates
)
SELECT 
    agent_id,
    agent_name,
    benchmark_category,
    JSONB_BUILD_OBJECT(
        'accuracy', JSONB_BUILD_OBJECT('score', avg_accuracy, 'rank', accuracy_rank),
        'speed', JSONB_BUILD_OBJECT('score', avg_speed, 'rank', speed_rank),
        'efficiency', JSONB_BUILD_OBJECT('score', avg_efficiency, 'rank', efficiency_rank),
        'cost', JSONB_BUILD_OBJECT('score', avg_cost, 'rank', cost_rank),
        'reliability', JSONB_BUILD_OBJECT('score', avg_reliability, 'rank', reliability_rank)
    ) as scores_and_ranks,
    benchmarks_completed,
    last_benchmark_date,
    LEAST(accuracy_rank, speed_rank, efficiency_rank, cost_rank, reliability_rank) as best_ranking
FROM category_rankings
ORDER BY benchmark_category, best_ranking;
