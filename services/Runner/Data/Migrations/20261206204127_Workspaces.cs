using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Runner.Data.Migrations
{
    /// <inheritdoc />
    public partial class Workspaces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_runs_created_at_run_id",
                schema: "runner",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "ix_runs_status_created_at",
                schema: "runner",
                table: "runs");

            // Runs and schedules made before workspaces belong to the bootstrap workspace, `default`: the column's default
            // fills the existing rows, and is then dropped, since every new row names its workspace.
            migrationBuilder.AddColumn<string>(
                name: "workspace_id",
                schema: "runner",
                table: "schedules",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "workspace_id",
                schema: "runner",
                table: "runs",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.Sql("ALTER TABLE runner.schedules ALTER COLUMN workspace_id DROP DEFAULT;");
            migrationBuilder.Sql("ALTER TABLE runner.runs ALTER COLUMN workspace_id DROP DEFAULT;");

            migrationBuilder.CreateIndex(
                name: "ix_schedules_workspace_id",
                schema: "runner",
                table: "schedules",
                column: "workspace_id");

            migrationBuilder.CreateIndex(
                name: "ix_runs_workspace_id_created_at",
                schema: "runner",
                table: "runs",
                columns: new[] { "workspace_id", "created_at", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_runs_workspace_id_status_created_at",
                schema: "runner",
                table: "runs",
                columns: new[] { "workspace_id", "status", "created_at", "run_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_schedules_workspace_id",
                schema: "runner",
                table: "schedules");

            migrationBuilder.DropIndex(
                name: "ix_runs_workspace_id_created_at",
                schema: "runner",
                table: "runs");

            migrationBuilder.DropIndex(
                name: "ix_runs_workspace_id_status_created_at",
                schema: "runner",
                table: "runs");

            migrationBuilder.DropColumn(
                name: "workspace_id",
                schema: "runner",
                table: "schedules");

            migrationBuilder.DropColumn(
                name: "workspace_id",
                schema: "runner",
                table: "runs");

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
        }
    }
}
