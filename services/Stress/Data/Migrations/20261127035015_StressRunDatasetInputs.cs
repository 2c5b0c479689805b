using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Stress.Data.Migrations
{
    /// <inheritdoc />
    public partial class StressRunDatasetInputs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "benchmark_id",
                schema: "stress",
                table: "stress_runs",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "suite_id",
                schema: "stress",
                table: "stress_runs",
                type: "uuid",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "benchmark_id",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropColumn(
                name: "suite_id",
                schema: "stress",
                table: "stress_runs");
        }
    }
}
