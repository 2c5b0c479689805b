using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Stress.Data.Migrations
{
    /// <inheritdoc />
    public partial class StressRunListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_stress_runs_created_at",
                schema: "stress",
                table: "stress_runs",
                columns: new[] { "created_at", "stress_run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_stress_runs_status_created_at",
                schema: "stress",
                table: "stress_runs",
                columns: new[] { "status", "created_at", "stress_run_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_stress_runs_created_at",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropIndex(
                name: "ix_stress_runs_status_created_at",
                schema: "stress",
                table: "stress_runs");
        }
    }
}
