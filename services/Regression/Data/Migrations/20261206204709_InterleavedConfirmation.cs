using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Regression.Data.Migrations
{
    /// <inheritdoc />
    public partial class InterleavedConfirmation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "confirmation",
                schema: "regression",
                table: "verdicts",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "baseline_version",
                schema: "regression",
                table: "confirmation_requests",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "rounds",
                schema: "regression",
                table: "confirmation_requests",
                type: "integer",
                nullable: false,
                // Requests stored before interleaving were one round each.
                defaultValue: 1);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "confirmation",
                schema: "regression",
                table: "verdicts");

            migrationBuilder.DropColumn(
                name: "baseline_version",
                schema: "regression",
                table: "confirmation_requests");

            migrationBuilder.DropColumn(
                name: "rounds",
                schema: "regression",
                table: "confirmation_requests");
        }
    }
}
