using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BenchMesh.Scoring.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "scoring");

            migrationBuilder.CreateTable(
                name: "benchmark_executions",
                schema: "scoring",
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
                    accuracy_score = table.Column<double>(type: "double precision", nullable: false),
                    speed_score = table.Column<double>(type: "double precision", nullable: false),
                    efficiency_score = table.Column<double>(type: "double precision", nullable: false),
                    cost_score = table.Column<double>(type: "double precision", nullable: false),
                    reliability_score = table.Column<double>(type: "double precision", nullable: false),
                    overall_score = table.Column<double>(type: "double precision", nullable: false),
                    execution_time_ms = table.Column<long>(type: "bigint", nullable: false),
                    tokens_used = table.Column<long>(type: "bigint", nullable: false),
                    api_calls_made = table.Column<int>(type: "integer", nullable: false),
                    cost_usd = table.Column<decimal>(type: "numeric(20,10)", precision: 20, scale: 10, nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    error_message = table.Column<string>(type: "text", nullable: true),
                    metrics = table.Column<string>(type: "jsonb", nullable: false),
                    warmup_runs = table.Column<int>(type: "integer", nullable: false),
                    iterations = table.Column<int>(type: "integer", nullable: false),
                    terminated_early = table.Column<bool>(type: "boolean", nullable: false),
                    worker_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_benchmark_executions", x => x.execution_id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                schema: "scoring",
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
                name: "execution_samples",
                schema: "scoring",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    execution_id = table.Column<Guid>(type: "uuid", nullable: false),
                    iteration = table.Column<int>(type: "integer", nullable: false),
                    item_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    output = table.Column<string>(type: "text", nullable: true),
                    expected = table.Column<string>(type: "text", nullable: true),
                    duration_ms = table.Column<double>(type: "double precision", nullable: false),
                    ttft_ms = table.Column<double>(type: "double precision", nullable: true),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    tokens_reported = table.Column<bool>(type: "boolean", nullable: false),
                    cost_usd = table.Column<decimal>(type: "numeric(20,10)", precision: 20, scale: 10, nullable: false),
                    error_kind = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    http_status = table.Column<int>(type: "integer", nullable: true),
                    score = table.Column<double>(type: "double precision", nullable: true),
                    correct = table.Column<bool>(type: "boolean", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_execution_samples", x => x.id);
                    table.ForeignKey(
                        name: "fk_execution_samples_benchmark_executions",
                        column: x => x.execution_id,
                        principalSchema: "scoring",
                        principalTable: "benchmark_executions",
                        principalColumn: "execution_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_benchmark_executions_agent_created",
                schema: "scoring",
                table: "benchmark_executions",
                columns: new[] { "agent_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_benchmark_executions_run",
                schema: "scoring",
                table: "benchmark_executions",
                column: "run_id");

            migrationBuilder.CreateIndex(
                name: "ix_execution_samples_execution",
                schema: "scoring",
                table: "execution_samples",
                column: "execution_id");

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_message_id",
                schema: "scoring",
                table: "outbox_messages",
                column: "message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent",
                schema: "scoring",
                table: "outbox_messages",
                column: "id",
                filter: "sent_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "execution_samples",
                schema: "scoring");

            migrationBuilder.DropTable(
                name: "outbox_messages",
                schema: "scoring");

            migrationBuilder.DropTable(
                name: "benchmark_executions",
                schema: "scoring");
        }
    }
}
