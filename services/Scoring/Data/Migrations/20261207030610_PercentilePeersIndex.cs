using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Scoring.Data.Migrations
{
    /// <inheritdoc />
    public partial class PercentilePeersIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_benchmark_executions_percentile_peers",
                schema: "scoring",
                table: "benchmark_executions",
                columns: new[] { "suite_id", "benchmark_id", "created_at" })
                .Annotation("Npgsql:IndexInclude", new[] { "overall_score" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_benchmark_executions_percentile_peers",
                schema: "scoring",
                table: "benchmark_executions");
        }
    }
}
