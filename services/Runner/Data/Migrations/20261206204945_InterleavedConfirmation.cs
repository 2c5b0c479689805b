using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Runner.Data.Migrations
{
    /// <inheritdoc />
    public partial class InterleavedConfirmation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "confirmation_sequences",
                schema: "runner",
                columns: table => new
                {
                    request_id = table.Column<Guid>(type: "uuid", nullable: false),
                    candidate_agent = table.Column<string>(type: "jsonb", nullable: false),
                    baseline_agent = table.Column<string>(type: "jsonb", nullable: false),
                    suite = table.Column<string>(type: "jsonb", nullable: false),
                    configuration = table.Column<string>(type: "jsonb", nullable: false),
                    steps = table.Column<int>(type: "integer", nullable: false),
                    current_step = table.Column<int>(type: "integer", nullable: false),
                    current_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_confirmation_sequences", x => x.request_id);
                });

            migrationBuilder.CreateIndex(
                name: "ux_confirmation_sequences_current_run_id",
                schema: "runner",
                table: "confirmation_sequences",
                column: "current_run_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "confirmation_sequences",
                schema: "runner");
        }
    }
}
