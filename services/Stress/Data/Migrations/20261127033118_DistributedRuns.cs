using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Stress.Data.Migrations
{
    /// <inheritdoc />
    public partial class DistributedRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deadline_at",
                schema: "stress",
                table: "stress_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "start_at",
                schema: "stress",
                table: "stress_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "workers",
                schema: "stress",
                table: "stress_runs",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.CreateTable(
                name: "stress_run_shares",
                schema: "stress",
                columns: table => new
                {
                    stress_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    share_index = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    parameters = table.Column<string>(type: "jsonb", nullable: false),
                    worker = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    claimed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    error = table.Column<string>(type: "text", nullable: true),
                    partial = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stress_run_shares", x => new { x.stress_run_id, x.share_index });
                    table.ForeignKey(
                        name: "FK_stress_run_shares_stress_runs_stress_run_id",
                        column: x => x.stress_run_id,
                        principalSchema: "stress",
                        principalTable: "stress_runs",
                        principalColumn: "stress_run_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_stress_runs_deadline",
                schema: "stress",
                table: "stress_runs",
                column: "deadline_at",
                filter: "status = 'running' AND workers > 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "stress_run_shares",
                schema: "stress");

            migrationBuilder.DropIndex(
                name: "ix_stress_runs_deadline",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropColumn(
                name: "deadline_at",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropColumn(
                name: "start_at",
                schema: "stress",
                table: "stress_runs");

            migrationBuilder.DropColumn(
                name: "workers",
                schema: "stress",
                table: "stress_runs");
        }
    }
}
