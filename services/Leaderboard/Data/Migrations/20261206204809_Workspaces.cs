using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Leaderboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class Workspaces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Executions projected before events carried a workspace belong to the bootstrap one: the default backfills them.
            migrationBuilder.AddColumn<string>(
                name: "workspace_id",
                schema: "leaderboard",
                table: "agent_benchmark_scores",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.CreateIndex(
                name: "ix_scores_workspace_agent",
                schema: "leaderboard",
                table: "agent_benchmark_scores",
                columns: new[] { "workspace_id", "agent_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_scores_workspace_agent",
                schema: "leaderboard",
                table: "agent_benchmark_scores");

            migrationBuilder.DropColumn(
                name: "workspace_id",
                schema: "leaderboard",
                table: "agent_benchmark_scores");
        }
    }
}
