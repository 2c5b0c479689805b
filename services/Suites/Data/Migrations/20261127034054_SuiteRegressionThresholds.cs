using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Suites.Data.Migrations
{
    /// <inheritdoc />
    public partial class SuiteRegressionThresholds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "regression_thresholds",
                schema: "suites",
                table: "suites",
                type: "jsonb",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "regression_thresholds",
                schema: "suites",
                table: "suites");
        }
    }
}
