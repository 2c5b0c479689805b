using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Suites.Data.Migrations
{
    /// <summary>
    /// Agent credentials are stored encrypted (protected_api_key). SQL cannot encrypt them: the plain-text column is kept
    /// as plaintext_api_key, which PlaintextApiKeyEncryption empties at start.
    /// </summary>
    public partial class EncryptAgentApiKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "api_key",
                schema: "suites",
                table: "agents",
                newName: "plaintext_api_key");

            migrationBuilder.AddColumn<string>(
                name: "protected_api_key",
                schema: "suites",
                table: "agents",
                type: "text",
                nullable: true);
        }

        /// <summary>Back to plain text: the credentials encrypted meanwhile cannot be decrypted in SQL and are lost.</summary>
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "protected_api_key",
                schema: "suites",
                table: "agents");

            migrationBuilder.RenameColumn(
                name: "plaintext_api_key",
                schema: "suites",
                table: "agents",
                newName: "api_key");
        }
    }
}
