using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Runner.Data.Migrations
{
    /// <inheritdoc />
    public partial class DurableResults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "retried_at",
                schema: "runner",
                table: "runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_activity_at",
                schema: "runner",
                table: "run_benchmarks",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "benchmark_results",
                schema: "runner",
                columns: table => new
                {
                    execution_id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    body = table.Column<string>(type: "jsonb", nullable: false),
                    samples = table.Column<int>(type: "integer", nullable: false),
                    stored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_benchmark_results", x => x.execution_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_run_benchmarks_pending",
                schema: "runner",
                table: "run_benchmarks",
                column: "run_id",
                filter: "status = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ix_benchmark_results_run_id",
                schema: "runner",
                table: "benchmark_results",
                column: "run_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "benchmark_results",
                schema: "runner");

            migrationBuilder.DropIndex(
                name: "ix_run_benchmarks_pending",
                schema: "runner",
                table: "run_benchmarks");

            migrationBuilder.DropColumn(
                name: "retried_at",
                schema: "runner",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "last_activity_at",
                schema: "runner",
                table: "run_benchmarks");
        }
    }
}
