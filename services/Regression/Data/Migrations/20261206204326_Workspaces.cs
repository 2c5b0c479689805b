using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Regression.Data.Migrations
{
    /// <inheritdoc />
    public partial class Workspaces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows written before workspaces belong to the bootstrap workspace: the columns' default backfills them.
            migrationBuilder.AddColumn<string>(
                name: "workspace_id",
                schema: "regression",
                table: "version_results",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "workspace_id",
                schema: "regression",
                table: "regressions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.CreateIndex(
                name: "ix_regressions_workspace",
                schema: "regression",
                table: "regressions",
                columns: new[] { "workspace_id", "detected_at", "regression_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_regressions_workspace",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "workspace_id",
                schema: "regression",
                table: "version_results");

            migrationBuilder.DropColumn(
                name: "workspace_id",
                schema: "regression",
                table: "regressions");
        }
    }
}
