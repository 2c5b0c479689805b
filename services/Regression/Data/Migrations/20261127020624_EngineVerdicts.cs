using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Regression.Data.Migrations
{
    /// <inheritdoc />
    public partial class EngineVerdicts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_regressions_execution_metric",
                schema: "regression",
                table: "regressions");

            migrationBuilder.CreateTable(
                name: "confirmation_requests",
                schema: "regression",
                columns: table => new
                {
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    benchmark_id = table.Column<Guid>(type: "uuid", nullable: false),
                    request_id = table.Column<Guid>(type: "uuid", nullable: false),
                    metrics = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    additional_runs = table.Column<int>(type: "integer", nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_confirmation_requests", x => new { x.agent_id, x.agent_version, x.benchmark_id });
                });

            migrationBuilder.CreateTable(
                name: "verdicts",
                schema: "regression",
                columns: table => new
                {
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    benchmark_id = table.Column<Guid>(type: "uuid", nullable: false),
                    metric = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    benchmark_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    verdict = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    versions_judged = table.Column<int>(type: "integer", nullable: false),
                    effect_estimate = table.Column<double>(type: "double precision", nullable: true),
                    effect_lower = table.Column<double>(type: "double precision", nullable: true),
                    effect_upper = table.Column<double>(type: "double precision", nullable: true),
                    p_value = table.Column<double>(type: "double precision", nullable: true),
                    q_value = table.Column<double>(type: "double precision", nullable: true),
                    minimum_detectable_effect = table.Column<double>(type: "double precision", nullable: true),
                    additional_runs = table.Column<int>(type: "integer", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    regression = table.Column<string>(type: "jsonb", nullable: true),
                    judged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_verdicts", x => new { x.agent_id, x.agent_version, x.benchmark_id, x.metric });
                });

            migrationBuilder.CreateIndex(
                name: "ix_regressions_execution_metric",
                schema: "regression",
                table: "regressions",
                columns: new[] { "execution_id", "metric" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "confirmation_requests",
                schema: "regression");

            migrationBuilder.DropTable(
                name: "verdicts",
                schema: "regression");

            migrationBuilder.DropIndex(
                name: "ix_regressions_execution_metric",
                schema: "regression",
                table: "regressions");

            migrationBuilder.CreateIndex(
                name: "ux_regressions_execution_metric",
                schema: "regression",
                table: "regressions",
                columns: new[] { "execution_id", "metric" },
                unique: true);
        }
    }
}
