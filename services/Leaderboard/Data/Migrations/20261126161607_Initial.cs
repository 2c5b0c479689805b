using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Leaderboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "leaderboard");

            migrationBuilder.CreateTable(
                name: "agent_benchmark_scores",
                schema: "leaderboard",
                columns: table => new
                {
                    execution_id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    agent_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    suite_id = table.Column<Guid>(type: "uuid", nullable: false),
                    suite_category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    benchmark_id = table.Column<Guid>(type: "uuid", nullable: false),
                    benchmark_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    benchmark_category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    accuracy_score = table.Column<double>(type: "double precision", nullable: false),
                    speed_score = table.Column<double>(type: "double precision", nullable: false),
                    efficiency_score = table.Column<double>(type: "double precision", nullable: false),
                    cost_score = table.Column<double>(type: "double precision", nullable: false),
                    reliability_score = table.Column<double>(type: "double precision", nullable: false),
                    overall_score = table.Column<double>(type: "double precision", nullable: false),
                    samples = table.Column<int>(type: "integer", nullable: false),
                    error_rate = table.Column<double>(type: "double precision", nullable: false),
                    median_latency_ms = table.Column<double>(type: "double precision", nullable: false),
                    p95_latency_ms = table.Column<double>(type: "double precision", nullable: false),
                    mean_tokens_per_task = table.Column<double>(type: "double precision", nullable: false),
                    mean_cost_per_task_usd = table.Column<double>(type: "double precision", nullable: false),
                    tokens_used = table.Column<long>(type: "bigint", nullable: false),
                    total_cost_usd = table.Column<decimal>(type: "numeric(20,10)", precision: 20, scale: 10, nullable: false),
                    api_calls_made = table.Column<int>(type: "integer", nullable: false),
                    per_iteration = table.Column<string>(type: "jsonb", nullable: false),
                    item_outcomes = table.Column<string>(type: "jsonb", nullable: false),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_benchmark_scores", x => x.execution_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_scores_latest",
                schema: "leaderboard",
                table: "agent_benchmark_scores",
                columns: new[] { "agent_id", "agent_version", "benchmark_id", "scored_at" });

            migrationBuilder.CreateIndex(
                name: "ix_scores_suite_agent",
                schema: "leaderboard",
                table: "agent_benchmark_scores",
                columns: new[] { "suite_id", "agent_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agent_benchmark_scores",
                schema: "leaderboard");
        }
    }
}
