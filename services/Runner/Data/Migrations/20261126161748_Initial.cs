using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BenchMesh.Runner.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "runner");

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                schema: "runner",
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
                name: "runs",
                schema: "runner",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    agent_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    suite_id = table.Column<Guid>(type: "uuid", nullable: false),
                    configuration = table.Column<string>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    total_benchmarks = table.Column<int>(type: "integer", nullable: false),
                    completed_benchmarks = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    overall_score = table.Column<double>(type: "double precision", nullable: true),
                    accuracy_score = table.Column<double>(type: "double precision", nullable: true),
                    speed_score = table.Column<double>(type: "double precision", nullable: true),
                    efficiency_score = table.Column<double>(type: "double precision", nullable: true),
                    cost_score = table.Column<double>(type: "double precision", nullable: true),
                    reliability_score = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runs", x => x.run_id);
                });

            migrationBuilder.CreateTable(
                name: "run_benchmarks",
                schema: "runner",
                columns: table => new
                {
                    execution_id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    benchmark_id = table.Column<Guid>(type: "uuid", nullable: false),
                    benchmark_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    accuracy_score = table.Column<double>(type: "double precision", nullable: true),
                    speed_score = table.Column<double>(type: "double precision", nullable: true),
                    efficiency_score = table.Column<double>(type: "double precision", nullable: true),
                    cost_score = table.Column<double>(type: "double precision", nullable: true),
                    reliability_score = table.Column<double>(type: "double precision", nullable: true),
                    overall_score = table.Column<double>(type: "double precision", nullable: true),
                    tokens_used = table.Column<long>(type: "bigint", nullable: true),
                    api_calls_made = table.Column<int>(type: "integer", nullable: true),
                    cost_usd = table.Column<decimal>(type: "numeric(18,8)", precision: 18, scale: 8, nullable: true),
                    median_latency_ms = table.Column<double>(type: "double precision", nullable: true),
                    scored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_benchmarks", x => x.execution_id);
                    table.ForeignKey(
                        name: "FK_run_benchmarks_runs_run_id",
                        column: x => x.run_id,
                        principalSchema: "runner",
                        principalTable: "runs",
                        principalColumn: "run_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_message_id",
                schema: "runner",
                table: "outbox_messages",
                column: "message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent",
                schema: "runner",
                table: "outbox_messages",
                column: "id",
                filter: "sent_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_run_benchmarks_run_id_benchmark_id",
                schema: "runner",
                table: "run_benchmarks",
                columns: new[] { "run_id", "benchmark_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_runs_agent_id_created_at",
                schema: "runner",
                table: "runs",
                columns: new[] { "agent_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "runner");

            migrationBuilder.DropTable(
                name: "run_benchmarks",
                schema: "runner");

            migrationBuilder.DropTable(
                name: "runs",
                schema: "runner");
        }
    }
}
