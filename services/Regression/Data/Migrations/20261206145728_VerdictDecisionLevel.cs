using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Regression.Data.Migrations
{
    /// <inheritdoc />
    public partial class VerdictDecisionLevel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "decision_level",
                schema: "regression",
                table: "verdicts",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "monitor");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "decision_level",
                schema: "regression",
                table: "verdicts");
        }
    }
}
