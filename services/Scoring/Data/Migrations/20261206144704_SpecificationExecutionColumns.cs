using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Scoring.Data.Migrations
{
    /// <inheritdoc />
    public partial class SpecificationExecutionColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "execution_id",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "started_at",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "start_time");

            migrationBuilder.RenameColumn(
                name: "execution_time_ms",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "total_duration_ms");

            migrationBuilder.RenameColumn(
                name: "error_message",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "error_details");

            migrationBuilder.RenameColumn(
                name: "completed_at",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "end_time");

            migrationBuilder.RenameIndex(
                name: "ix_benchmark_executions_agent_created",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "idx_benchmark_exec_agent");

            migrationBuilder.AddColumn<long>(
                name: "cached_input_tokens",
                schema: "scoring",
                table: "execution_samples",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "connect_ms",
                schema: "scoring",
                table: "execution_samples",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "cpu_time_ms",
                schema: "scoring",
                table: "execution_samples",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "judgement",
                schema: "scoring",
                table: "execution_samples",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "peak_memory_mb",
                schema: "scoring",
                table: "execution_samples",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "request_write_ms",
                schema: "scoring",
                table: "execution_samples",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "concurrency",
                schema: "scoring",
                table: "benchmark_executions",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<double>(
                name: "cpu_usage_percent",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "deviation_from_baseline",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "workspace_id",
                schema: "scoring",
                table: "benchmark_executions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "execution_environment",
                schema: "scoring",
                table: "benchmark_executions",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "judge_calls",
                schema: "scoring",
                table: "benchmark_executions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<decimal>(
                name: "judge_cost_usd",
                schema: "scoring",
                table: "benchmark_executions",
                type: "numeric(20,10)",
                precision: 20,
                scale: 10,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<double>(
                name: "judge_duration_ms",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<long>(
                name: "judge_input_tokens",
                schema: "scoring",
                table: "benchmark_executions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "judge_output_tokens",
                schema: "scoring",
                table: "benchmark_executions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "judge_ungradable",
                schema: "scoring",
                table: "benchmark_executions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "memory_peak_mb",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "message_schema_version",
                schema: "scoring",
                table: "benchmark_executions",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "model_configuration",
                schema: "scoring",
                table: "benchmark_executions",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "output_completeness",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "output_correctness",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "output_relevance",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "percentile_rank",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "persistence_ms",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "requested_at",
                schema: "scoring",
                table: "benchmark_executions",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "scoring_ms",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "termination_after_calls",
                schema: "scoring",
                table: "benchmark_executions",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "termination_at_ms",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "termination_detail",
                schema: "scoring",
                table: "benchmark_executions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "termination_reason",
                schema: "scoring",
                table: "benchmark_executions",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "warmup_calls",
                schema: "scoring",
                table: "benchmark_executions",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "warmup_cost_usd",
                schema: "scoring",
                table: "benchmark_executions",
                type: "numeric(20,10)",
                precision: 20,
                scale: 10,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "warmup_duration_ms",
                schema: "scoring",
                table: "benchmark_executions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "warmup_input_tokens",
                schema: "scoring",
                table: "benchmark_executions",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "warmup_output_tokens",
                schema: "scoring",
                table: "benchmark_executions",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "idx_benchmark_exec_scores",
                schema: "scoring",
                table: "benchmark_executions",
                columns: new[] { "accuracy_score", "speed_score" });

            migrationBuilder.CreateIndex(
                name: "idx_benchmark_exec_suite",
                schema: "scoring",
                table: "benchmark_executions",
                columns: new[] { "suite_id", "benchmark_id" });

            // The specification's status values; the column keeps its rows. "completed" meant at least one call
            // succeeded: "terminated" when the benchmark had stopped early, else "success". "failed" stays.
            migrationBuilder.Sql("""
                UPDATE scoring.benchmark_executions
                SET status = CASE WHEN terminated_early THEN 'terminated' ELSE 'success' END
                WHERE status = 'completed';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE scoring.benchmark_executions SET status = 'completed' WHERE status IN ('success', 'terminated');
                """);

            migrationBuilder.DropIndex(
                name: "idx_benchmark_exec_scores",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropIndex(
                name: "idx_benchmark_exec_suite",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "cached_input_tokens",
                schema: "scoring",
                table: "execution_samples");

            migrationBuilder.DropColumn(
                name: "connect_ms",
                schema: "scoring",
                table: "execution_samples");

            migrationBuilder.DropColumn(
                name: "cpu_time_ms",
                schema: "scoring",
                table: "execution_samples");

            migrationBuilder.DropColumn(
                name: "judgement",
                schema: "scoring",
                table: "execution_samples");

            migrationBuilder.DropColumn(
                name: "peak_memory_mb",
                schema: "scoring",
                table: "execution_samples");

            migrationBuilder.DropColumn(
                name: "request_write_ms",
                schema: "scoring",
                table: "execution_samples");

            migrationBuilder.DropColumn(
                name: "concurrency",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "cpu_usage_percent",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "deviation_from_baseline",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "workspace_id",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "execution_environment",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "judge_calls",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "judge_cost_usd",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "judge_duration_ms",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "judge_input_tokens",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "judge_output_tokens",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "judge_ungradable",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "memory_peak_mb",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "message_schema_version",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "model_configuration",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "output_completeness",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "output_correctness",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "output_relevance",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "percentile_rank",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "persistence_ms",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "requested_at",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "scoring_ms",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "termination_after_calls",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "termination_at_ms",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "termination_detail",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "termination_reason",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "warmup_calls",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "warmup_cost_usd",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "warmup_duration_ms",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "warmup_input_tokens",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.DropColumn(
                name: "warmup_output_tokens",
                schema: "scoring",
                table: "benchmark_executions");

            migrationBuilder.RenameColumn(
                name: "id",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "execution_id");

            migrationBuilder.RenameColumn(
                name: "error_details",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "error_message");

            migrationBuilder.RenameColumn(
                name: "total_duration_ms",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "execution_time_ms");

            migrationBuilder.RenameColumn(
                name: "start_time",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "started_at");

            migrationBuilder.RenameColumn(
                name: "end_time",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "completed_at");

            migrationBuilder.RenameIndex(
                name: "idx_benchmark_exec_agent",
                schema: "scoring",
                table: "benchmark_executions",
                newName: "ix_benchmark_executions_agent_created");
        }
    }
}
