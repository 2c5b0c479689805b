using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Suites.Data.Migrations
{
    /// <inheritdoc />
    public partial class WorkspaceVisibility : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Suites created before workspaces had a key to come from may have none: they belong to the bootstrap
            // workspace, "default" (agents always named theirs).
            migrationBuilder.Sql("UPDATE suites.suites SET workspace_id = 'default' WHERE workspace_id IS NULL;");

            migrationBuilder.AlterColumn<string>(
                name: "workspace_id",
                schema: "suites",
                table: "suites",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(200)",
                oldMaxLength: 200,
                oldNullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "is_public",
                schema: "suites",
                table: "suites",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "is_public",
                schema: "suites",
                table: "agents",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "is_public",
                schema: "suites",
                table: "suites");

            migrationBuilder.DropColumn(
                name: "is_public",
                schema: "suites",
                table: "agents");

            migrationBuilder.AlterColumn<string>(
                name: "workspace_id",
                schema: "suites",
                table: "suites",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(200)",
                oldMaxLength: 200);
        }
    }
}
