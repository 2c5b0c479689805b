using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Runner.Data.Migrations
{
    /// <inheritdoc />
    public partial class Schedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "schedules",
                schema: "runner",
                columns: table => new
                {
                    schedule_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_id = table.Column<Guid>(type: "uuid", nullable: false),
                    agent_version = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    suite_id = table.Column<Guid>(type: "uuid", nullable: false),
                    cron_expression = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    time_zone = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    configuration = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_schedules", x => x.schedule_id);
                });

            migrationBuilder.CreateTable(
                name: "schedule_firings",
                schema: "runner",
                columns: table => new
                {
                    firing_id = table.Column<Guid>(type: "uuid", nullable: false),
                    schedule_id = table.Column<Guid>(type: "uuid", nullable: false),
                    scheduled_for = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    fired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    outcome = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    instance_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_schedule_firings", x => x.firing_id);
                    table.ForeignKey(
                        name: "FK_schedule_firings_schedules_schedule_id",
                        column: x => x.schedule_id,
                        principalSchema: "runner",
                        principalTable: "schedules",
                        principalColumn: "schedule_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ux_schedule_firings_schedule_id_scheduled_for",
                schema: "runner",
                table: "schedule_firings",
                columns: new[] { "schedule_id", "scheduled_for" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_schedules_agent_id_suite_id",
                schema: "runner",
                table: "schedules",
                columns: new[] { "agent_id", "suite_id" });

            migrationBuilder.CreateIndex(
                name: "ix_schedules_suite_id",
                schema: "runner",
                table: "schedules",
                column: "suite_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "schedule_firings",
                schema: "runner");

            migrationBuilder.DropTable(
                name: "schedules",
                schema: "runner");
        }
    }
}
