using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Stress.Data.Migrations
{
    /// <inheritdoc />
    public partial class StressRunWorkspace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_stress_runs_created_at",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropIndex(
                name: "ix_stress_runs_status_created_at",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.AddColumn<string>(
                name: "workspace_id",
                schema: "stress",
                table: "stress_runs",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "default");

            // Runs started before workspaces belong to the bootstrap workspace (above); new runs always name theirs,
            // so the column keeps no default.
            migrationBuilder.Sql("ALTER TABLE stress.stress_runs ALTER COLUMN workspace_id DROP DEFAULT;");

            migrationBuilder.CreateIndex(
                name: "ix_stress_runs_workspace_created_at",
                schema: "stress",
                table: "stress_runs",
                columns: new[] { "workspace_id", "created_at", "stress_run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_stress_runs_workspace_status_created_at",
                schema: "stress",
                table: "stress_runs",
                columns: new[] { "workspace_id", "status", "created_at", "stress_run_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_stress_runs_workspace_created_at",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropIndex(
                name: "ix_stress_runs_workspace_status_created_at",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropColumn(
                name: "workspace_id",
                schema: "stress",
                table: "stress_runs");

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
    }
}
