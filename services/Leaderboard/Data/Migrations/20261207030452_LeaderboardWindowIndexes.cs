using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Leaderboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class LeaderboardWindowIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_scores_agent_latest_name",
                schema: "leaderboard",
                table: "agent_benchmark_scores",
                columns: new[] { "agent_id", "scored_at", "execution_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "agent_name" });

            migrationBuilder.CreateIndex(
                name: "ix_scores_scored_at",
                schema: "leaderboard",
                table: "agent_benchmark_scores",
                column: "scored_at");

            // §5.1's view again (as the AnalyticsViews migration made it), with each agent's latest name looked up per
            // agent of the window (one backward probe of ix_scores_agent_latest_name) instead of DISTINCT ON over every
            // execution, which sorted the whole table on each refresh. The same name: the latest of all its executions.
            migrationBuilder.Sql("""
                DROP MATERIALIZED VIEW leaderboard.benchmark_leaderboard;

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
                    SELECT a.agent_id, n.agent_name
                    FROM (SELECT DISTINCT agent_id FROM score_aggregates) a
                    CROSS JOIN LATERAL (
                        SELECT l.agent_name
                        FROM leaderboard.agent_benchmark_scores l
                        WHERE l.agent_id = a.agent_id
                        ORDER BY l.scored_at DESC, l.execution_id DESC
                        LIMIT 1
                    ) n
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

            migrationBuilder.DropIndex(
                name: "ix_scores_agent_latest_name",
                schema: "leaderboard",
                table: "agent_benchmark_scores");

            migrationBuilder.DropIndex(
                name: "ix_scores_scored_at",
                schema: "leaderboard",
                table: "agent_benchmark_scores");
        }
    }
}
