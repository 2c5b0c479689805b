using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Suites.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "suites");

            migrationBuilder.CreateTable(
                name: "agents",
                schema: "suites",
                columns: table => new
                {
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    workspace_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    protocol = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    endpoint = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    api_key = table.Column<string>(type: "text", nullable: true),
                    input_per_million_usd = table.Column<decimal>(type: "numeric", nullable: false),
                    output_per_million_usd = table.Column<decimal>(type: "numeric", nullable: false),
                    per_call_usd = table.Column<decimal>(type: "numeric", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agents", x => x.agent_id);
                });

            migrationBuilder.CreateTable(
                name: "suites",
                schema: "suites",
                columns: table => new
                {
                    suite_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    workspace_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_suites", x => x.suite_id);
                });

            migrationBuilder.CreateTable(
                name: "agent_versions",
                schema: "suites",
                columns: table => new
                {
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    model_configuration = table.Column<string>(type: "jsonb", nullable: false),
                    endpoint = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    input_per_million_usd = table.Column<decimal>(type: "numeric", nullable: true),
                    output_per_million_usd = table.Column<decimal>(type: "numeric", nullable: true),
                    per_call_usd = table.Column<decimal>(type: "numeric", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_versions", x => new { x.agent_id, x.version });
                    table.ForeignKey(
                        name: "FK_agent_versions_agents_agent_id",
                        column: x => x.agent_id,
                        principalSchema: "suites",
                        principalTable: "agents",
                        principalColumn: "agent_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "benchmarks",
                schema: "suites",
                columns: table => new
                {
                    benchmark_id = table.Column<Guid>(type: "uuid", nullable: false),
                    suite_id = table.Column<Guid>(type: "uuid", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    scoring_rubric = table.Column<string>(type: "jsonb", nullable: false),
                    timeout_seconds = table.Column<int>(type: "integer", nullable: false),
                    target_latency_ms = table.Column<double>(type: "double precision", nullable: false),
                    target_tokens = table.Column<double>(type: "double precision", nullable: false),
                    target_cost_usd = table.Column<double>(type: "double precision", nullable: false),
                    max_tokens = table.Column<int>(type: "integer", nullable: true),
                    dataset_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    item_count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_benchmarks", x => x.benchmark_id);
                    table.ForeignKey(
                        name: "FK_benchmarks_suites_suite_id",
                        column: x => x.suite_id,
                        principalSchema: "suites",
                        principalTable: "suites",
                        principalColumn: "suite_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dataset_items",
                schema: "suites",
                columns: table => new
                {
                    benchmark_id = table.Column<Guid>(type: "uuid", nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    item_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    input = table.Column<string>(type: "text", nullable: false),
                    expected = table.Column<string>(type: "text", nullable: true),
                    scoring_rubric = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dataset_items", x => new { x.benchmark_id, x.ordinal });
                    table.ForeignKey(
                        name: "FK_dataset_items_benchmarks_benchmark_id",
                        column: x => x.benchmark_id,
                        principalSchema: "suites",
                        principalTable: "benchmarks",
                        principalColumn: "benchmark_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_agents_workspace_id_name",
                schema: "suites",
                table: "agents",
                columns: new[] { "workspace_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_benchmarks_suite_id_ordinal",
                schema: "suites",
                table: "benchmarks",
                columns: new[] { "suite_id", "ordinal" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_dataset_items_benchmark_id_item_id",
                schema: "suites",
                table: "dataset_items",
                columns: new[] { "benchmark_id", "item_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_suites_workspace_id",
                schema: "suites",
                table: "suites",
                column: "workspace_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agent_versions",
                schema: "suites");

            migrationBuilder.DropTable(
                name: "dataset_items",
                schema: "suites");

            migrationBuilder.DropTable(
                name: "agents",
                schema: "suites");

            migrationBuilder.DropTable(
                name: "benchmarks",
                schema: "suites");

            migrationBuilder.DropTable(
                name: "suites",
                schema: "suites");
        }
    }
}
