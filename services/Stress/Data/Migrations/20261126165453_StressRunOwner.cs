using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Stress.Data.Migrations
{
    /// <inheritdoc />
    public partial class StressRunOwner : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "heartbeat_at",
                schema: "stress",
                table: "stress_runs",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<string>(
                name: "owner",
                schema: "stress",
                table: "stress_runs",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            // Runs from before owners were recorded: their heartbeat is their last known activity, so one still
            // running is failed by the first sweep once that is over a minute old.
            migrationBuilder.Sql(
                "UPDATE stress.stress_runs SET owner = 'unknown (recorded before owners)', heartbeat_at = COALESCE(started_at, created_at);");

            migrationBuilder.CreateIndex(
                name: "ix_stress_runs_running",
                schema: "stress",
                table: "stress_runs",
                column: "heartbeat_at",
                filter: "status = 'running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_stress_runs_running",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropColumn(
                name: "heartbeat_at",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropColumn(
                name: "owner",
                schema: "stress",
                table: "stress_runs");
        }
    }
}
