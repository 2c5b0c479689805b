using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Regression.Data.Migrations
{
    /// <inheritdoc />
    public partial class EngineInputs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "item_outcomes",
                schema: "regression",
                table: "version_results",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'{}'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "per_iteration",
                schema: "regression",
                table: "version_results",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<int>(
                name: "baseline_runs",
                schema: "regression",
                table: "regressions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "blamed_version",
                schema: "regression",
                table: "regressions",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "candidate_runs",
                schema: "regression",
                table: "regressions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "effect_lower",
                schema: "regression",
                table: "regressions",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "effect_upper",
                schema: "regression",
                table: "regressions",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "minimum_detectable_effect",
                schema: "regression",
                table: "regressions",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "p_value",
                schema: "regression",
                table: "regressions",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "path",
                schema: "regression",
                table: "regressions",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<double>(
                name: "q_value",
                schema: "regression",
                table: "regressions",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "item_outcomes",
                schema: "regression",
                table: "version_results");

            migrationBuilder.DropColumn(
                name: "per_iteration",
                schema: "regression",
                table: "version_results");

            migrationBuilder.DropColumn(
                name: "baseline_runs",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "blamed_version",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "candidate_runs",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "effect_lower",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "effect_upper",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "minimum_detectable_effect",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "p_value",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "path",
                schema: "regression",
                table: "regressions");

            migrationBuilder.DropColumn(
                name: "q_value",
                schema: "regression",
                table: "regressions");
        }
    }
}
