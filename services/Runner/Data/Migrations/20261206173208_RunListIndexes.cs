using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Runner.Data.Migrations
{
    /// <inheritdoc />
    public partial class RunListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_runs_created_at_run_id",
                schema: "runner",
                table: "runs",
                columns: new[] { "created_at", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_runs_status_created_at",
                schema: "runner",
                table: "runs",
                columns: new[] { "status", "created_at", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_runs_suite_id_created_at",
                schema: "runner",
                table: "runs",
                columns: new[] { "suite_id", "created_at", "run_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_runs_created_at_run_id",
                schema: "runner",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "ix_runs_status_created_at",
                schema: "runner",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "ix_runs_suite_id_created_at",
                schema: "runner",
                table: "runs");
        }
    }
}
