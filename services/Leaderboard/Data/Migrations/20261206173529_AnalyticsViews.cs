using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Leaderboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class AnalyticsViews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows projected before the event carried the specification's status: completed → success, failed → failed.
            migrationBuilder.AddColumn<string>(
                name: "execution_status",
                schema: "leaderboard",
                table: "agent_benchmark_scores",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "success");
            migrationBuilder.Sql("""
                UPDATE leaderboard.agent_benchmark_scores SET execution_status = 'failed' WHERE status = 'failed';
                ALTER TABLE leaderboard.agent_benchmark_scores ALTER COLUMN execution_status DROP DEFAULT;
                """);

            // §3.1, over the projection (created_at = scored_at, status = execution_status), plus each agent's latest
            // name and benchmarks_completed, which the specification computes but does not select.
            migrationBuilder.Sql("""
                CREATE MATERIALIZED VIEW leaderboard.agent_comparison_matrix AS
                WITH latest_benchmarks AS (
                    SELECT
                        agent_id,
                        benchmark_id,
                        accuracy_score,
                        speed_score,
                        efficiency_score,
                        cost_score,
                        reliability_score,
                        -- The execution id breaks ties of scored_at, so that every refresh picks the same row.
                        ROW_NUMBER() OVER (PARTITION BY agent_id, benchmark_id ORDER BY scored_at DESC, execution_id DESC) AS rn
                    FROM leaderboard.agent_benchmark_scores
                    WHERE execution_status = 'success'
                ),
                benchmark_aggregates AS (
                    SELECT
                        agent_id,
                        AVG(accuracy_score) AS avg_accuracy,
                        AVG(speed_score) AS avg_speed,
                        AVG(efficiency_score) AS avg_efficiency,
                        AVG(cost_score) AS avg_cost,
                        AVG(reliability_score) AS avg_reliability,
                        COUNT(DISTINCT benchmark_id) AS benchmarks_completed
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
                        benchmarks_completed,
                        RANK() OVER (ORDER BY avg_accuracy DESC) AS accuracy_rank,
                        RANK() OVER (ORDER BY avg_speed DESC) AS speed_rank,
                        RANK() OVER (ORDER BY avg_efficiency DESC) AS efficiency_rank,
                        RANK() OVER (ORDER BY avg_cost DESC) AS cost_rank,
                        RANK() OVER (ORDER BY avg_reliability DESC) AS reliability_rank,
                        (avg_accuracy * 0.3 + avg_speed * 0.2 + avg_efficiency * 0.2 +
                         avg_cost * 0.15 + avg_reliability * 0.15) AS overall_score
                    FROM benchmark_aggregates
                ),
                agent_names AS (
                    SELECT DISTINCT ON (agent_id) agent_id, agent_name
                    FROM leaderboard.agent_benchmark_scores
                    ORDER BY agent_id, scored_at DESC, execution_id DESC
                )
                SELECT
                    r.agent_id,
                    n.agent_name,
                    r.avg_accuracy,
                    r.avg_speed,
                    r.avg_efficiency,
                    r.avg_cost,
                    r.avg_reliability,
                    r.accuracy_rank,
                    r.speed_rank,
                    r.efficiency_rank,
                    r.cost_rank,
                    r.reliability_rank,
                    r.overall_score,
                    RANK() OVER (ORDER BY r.overall_score DESC) AS overall_rank,
                    r.benchmarks_completed
                FROM rankings r
                JOIN agent_names n ON n.agent_id = r.agent_id;

                CREATE UNIQUE INDEX ux_agent_comparison_matrix ON leaderboard.agent_comparison_matrix (agent_id);
                """);

            // §5.1, over the projection (created_at = scored_at, the suite category from the execution, the agent's
            // latest name), computed for four boards at once: statuses 'all' (the specification's: failed executions
            // are averaged too) or 'success', and per agent (every version together, agent_version '') or per version.
            // 'overall' is every category together. Ranks are within a board and category. Added: the §3.1 overall
            // score and its rank, the number of executions and their ids (for the rank bootstrap).
            migrationBuilder.Sql("""
                CREATE MATERIALIZED VIEW leaderboard.benchmark_leaderboard AS
                WITH boards (statuses) AS (VALUES ('all'), ('success')),
                score_aggregates AS (
                    SELECT
                        b.statuses,
                        GROUPING(s.agent_version) = 0 AS by_version,
                        CASE WHEN GROUPING(s.suite_category) = 1 THEN 'overall' ELSE s.suite_category END AS benchmark_category,
                        s.agent_id,
                        CASE WHEN GROUPING(s.agent_version) = 1 THEN '' ELSE s.agent_version END AS agent_version,
                        AVG(s.accuracy_score) AS avg_accuracy,
                        AVG(s.speed_score) AS avg_speed,
                        AVG(s.efficiency_score) AS avg_efficiency,
                        AVG(s.cost_score) AS avg_cost,
                        AVG(s.reliability_score) AS avg_reliability,
                        COUNT(DISTINCT s.benchmark_id) AS benchmarks_completed,
                        COUNT(*) AS executions,
                        MAX(s.scored_at) AS last_benchmark_date,
                        ARRAY_AGG(s.execution_id ORDER BY s.execution_id) AS execution_ids
                    FROM leaderboard.agent_benchmark_scores s
                    CROSS JOIN boards b
                    WHERE s.scored_at > NOW() - INTERVAL '30 days'
                      AND (b.statuses = 'all' OR s.execution_status = 'success')
                    GROUP BY b.statuses, s.agent_id,
                        GROUPING SETS ((s.suite_category), (), (s.agent_version, s.suite_category), (s.agent_version))
                ),
                category_rankings AS (
                    SELECT
                        *,
                        (avg_accuracy * 0.3 + avg_speed * 0.2 + avg_efficiency * 0.2 +
                         avg_cost * 0.15 + avg_reliability * 0.15) AS overall_score,
                        RANK() OVER (board ORDER BY avg_accuracy DESC) AS accuracy_rank,
                        RANK() OVER (board ORDER BY avg_speed DESC) AS speed_rank,
                        RANK() OVER (board ORDER BY avg_efficiency DESC) AS efficiency_rank,
                        RANK() OVER (board ORDER BY avg_cost DESC) AS cost_rank,
                        RANK() OVER (board ORDER BY avg_reliability DESC) AS reliability_rank
                    FROM score_aggregates
                    WINDOW board AS (PARTITION BY statuses, by_version, benchmark_category)
                ),
                agent_names AS (
                    SELECT DISTINCT ON (agent_id) agent_id, agent_name
                    FROM leaderboard.agent_benchmark_scores
                    ORDER BY agent_id, scored_at DESC, execution_id DESC
                )
                SELECT
                    r.statuses,
                    r.by_version,
                    r.benchmark_category,
                    r.agent_id,
                    r.agent_version,
                    n.agent_name,
                    r.avg_accuracy,
                    r.avg_speed,
                    r.avg_efficiency,
                    r.avg_cost,
                    r.avg_reliability,
                    r.overall_score,
                    r.accuracy_rank,
                    r.speed_rank,
                    r.efficiency_rank,
                    r.cost_rank,
                    r.reliability_rank,
                    RANK() OVER (PARTITION BY r.statuses, r.by_version, r.benchmark_category ORDER BY r.overall_score DESC) AS overall_rank,
                    r.benchmarks_completed,
                    r.executions,
                    r.last_benchmark_date,
                    LEAST(r.accuracy_rank, r.speed_rank, r.efficiency_rank, r.cost_rank, r.reliability_rank) AS best_ranking,
                    r.execution_ids
                FROM category_rankings r
                JOIN agent_names n ON n.agent_id = r.agent_id;

                -- REFRESH ... CONCURRENTLY needs a unique index over plain columns that covers every row.
                CREATE UNIQUE INDEX ux_benchmark_leaderboard
                    ON leaderboard.benchmark_leaderboard (statuses, by_version, benchmark_category, agent_id, agent_version);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP MATERIALIZED VIEW leaderboard.benchmark_leaderboard;
                DROP MATERIALIZED VIEW leaderboard.agent_comparison_matrix;
                """);

            migrationBuilder.DropColumn(
                name: "execution_status",
                schema: "leaderboard",
                table: "agent_benchmark_scores");
        }
    }
}
