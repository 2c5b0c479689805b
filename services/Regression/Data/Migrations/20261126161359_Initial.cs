using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BenchMesh.Regression.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "regression");

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                schema: "regression",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    message_type = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    body = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "regressions",
                schema: "regression",
                columns: table => new
                {
                    regression_id = table.Column<Guid>(type: "uuid", nullable: false),
                    execution_id = table.Column<Guid>(type: "uuid", nullable: false),
                    baseline_execution_id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    suite_id = table.Column<Guid>(type: "uuid", nullable: false),
                    benchmark_id = table.Column<Guid>(type: "uuid", nullable: false),
                    benchmark_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    candidate_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    baseline_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    metric = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    direction = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    baseline_value = table.Column<double>(type: "double precision", nullable: false),
                    current_value = table.Column<double>(type: "double precision", nullable: false),
                    regression_percentage = table.Column<double>(type: "double precision", nullable: false),
                    threshold = table.Column<double>(type: "double precision", nullable: false),
                    severity = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    detector = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    impact_analysis = table.Column<string>(type: "text", nullable: false),
                    detected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_regressions", x => x.regression_id);
                });

            migrationBuilder.CreateTable(
                name: "version_results",
                schema: "regression",
                columns: table => new
                {
                    execution_id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    agent_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    suite_id = table.Column<Guid>(type: "uuid", nullable: false),
                    benchmark_id = table.Column<Guid>(type: "uuid", nullable: false),
                    benchmark_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    samples = table.Column<int>(type: "integer", nullable: false),
                    accuracy = table.Column<double>(type: "double precision", nullable: false),
                    median_latency_ms = table.Column<double>(type: "double precision", nullable: false),
                    mean_cost_per_task_usd = table.Column<double>(type: "double precision", nullable: false),
                    mean_tokens_per_task = table.Column<double>(type: "double precision", nullable: false),
                    error_rate = table.Column<double>(type: "double precision", nullable: false),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_version_results", x => x.execution_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_message_id",
                schema: "regression",
                table: "outbox_messages",
                column: "message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent",
                schema: "regression",
                table: "outbox_messages",
                column: "id",
                filter: "sent_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_regressions_agent",
                schema: "regression",
                table: "regressions",
                columns: new[] { "agent_id", "detected_at" });

            migrationBuilder.CreateIndex(
                name: "ux_regressions_execution_metric",
                schema: "regression",
                table: "regressions",
                columns: new[] { "execution_id", "metric" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_version_results_agent_benchmark",
                schema: "regression",
                table: "version_results",
                columns: new[] { "agent_id", "benchmark_id", "scored_at" });

            migrationBuilder.CreateIndex(
                name: "ix_version_results_agent_version",
                schema: "regression",
                table: "version_results",
                columns: new[] { "agent_id", "agent_version", "scored_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "regression");

            migrationBuilder.DropTable(
                name: "regressions",
                schema: "regression");

            migrationBuilder.DropTable(
                name: "version_results",
                schema: "regression");
        }
    }
}
