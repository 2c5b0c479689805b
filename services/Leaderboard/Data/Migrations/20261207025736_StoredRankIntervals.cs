using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Leaderboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class StoredRankIntervals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "rank_intervals",
                schema: "leaderboard",
                columns: table => new
                {
                    workspace_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    statuses = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    by_version = table.Column<bool>(type: "boolean", nullable: false),
                    benchmark_category = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    generation = table.Column<long>(type: "bigint", nullable: false),
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    low = table.Column<int>(type: "integer", nullable: false),
                    high = table.Column<int>(type: "integer", nullable: false),
                    tied_with_leader = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rank_intervals", x => new { x.workspace_id, x.statuses, x.by_version, x.benchmark_category, x.generation, x.agent_id, x.agent_version });
                });

            migrationBuilder.CreateTable(
                name: "view_generations",
                schema: "leaderboard",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    generation = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_view_generations", x => x.id);
                });

            migrationBuilder.InsertData(
                schema: "leaderboard",
                table: "view_generations",
                columns: new[] { "id", "generation" },
                values: new object[] { 1, 0L });

            migrationBuilder.CreateIndex(
                name: "ix_rank_intervals_generation",
                schema: "leaderboard",
                table: "rank_intervals",
                column: "generation");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "rank_intervals",
                schema: "leaderboard");

            migrationBuilder.DropTable(
                name: "view_generations",
                schema: "leaderboard");
        }
    }
}
