using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Suites.Data.Migrations
{
    /// <inheritdoc />
    public partial class SuiteSpecificationModel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "baseline_scores",
                schema: "suites",
                table: "suites",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "metadata",
                schema: "suites",
                table: "suites",
                type: "json",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "accepted_outputs",
                schema: "suites",
                table: "dataset_items",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "messages_json",
                schema: "suites",
                table: "dataset_items",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "baseline_scores",
                schema: "suites",
                table: "benchmarks",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "cost_limit_usd",
                schema: "suites",
                table: "benchmarks",
                type: "numeric",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "dataset_complexity",
                schema: "suites",
                table: "benchmarks",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            // Filled for the datasets already stored (below), then required.
            migrationBuilder.AddColumn<string>(
                name: "dataset_content_hash",
                schema: "suites",
                table: "benchmarks",
                type: "character(64)",
                fixedLength: true,
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "dataset_source",
                schema: "suites",
                table: "benchmarks",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "memory_limit_mb",
                schema: "suites",
                table: "benchmarks",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "metadata",
                schema: "suites",
                table: "benchmarks",
                type: "json",
                nullable: true);

            // Existing benchmarks measure nothing named: the default fills them, and is dropped below (the model has none).
            migrationBuilder.AddColumn<List<string>>(
                name: "metrics_measured",
                schema: "suites",
                table: "benchmarks",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "test_type",
                schema: "suites",
                table: "benchmarks",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "time_limit_ms",
                schema: "suites",
                table: "benchmarks",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "token_limit",
                schema: "suites",
                table: "benchmarks",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "total_time_limit_ms",
                schema: "suites",
                table: "benchmarks",
                type: "bigint",
                nullable: true);

            migrationBuilder.Sql("ALTER TABLE suites.benchmarks ALTER COLUMN metrics_measured DROP DEFAULT;");

            // BenchMesh.Datasets.DatasetContentHash's canonical form, written in SQL: the datasets stored so far have plain-text inputs
            // and no accepted outputs, and PostgreSQL's to_json escapes strings exactly as the canonical form does
            // (only '"', '\' and U+0000-U+001F; \b \f \n \r \t short, the others \u00xx).
            migrationBuilder.Sql("""
                UPDATE suites.benchmarks b
                SET dataset_content_hash = encode(sha256(convert_to(coalesce(
                    (SELECT '[' || string_agg(
                                '{"id":' || to_json(i.item_id)::text
                                || ',"input":' || to_json(i.input)::text
                                || ',"expected":' || coalesce(to_json(i.expected)::text, 'null')
                                || ',"accepted_outputs":null}',
                                ',' ORDER BY i.ordinal) || ']'
                     FROM suites.dataset_items i
                     WHERE i.benchmark_id = b.benchmark_id),
                    '[]'), 'UTF8')), 'hex');
                """);
            migrationBuilder.Sql("ALTER TABLE suites.benchmarks ALTER COLUMN dataset_content_hash SET NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "baseline_scores",
                schema: "suites",
                table: "suites");

            migrationBuilder.DropColumn(
                name: "metadata",
                schema: "suites",
                table: "suites");

            migrationBuilder.DropColumn(
                name: "accepted_outputs",
                schema: "suites",
                table: "dataset_items");

            migrationBuilder.DropColumn(
                name: "messages_json",
                schema: "suites",
                table: "dataset_items");

            migrationBuilder.DropColumn(
                name: "baseline_scores",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "cost_limit_usd",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "dataset_complexity",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "dataset_content_hash",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "dataset_source",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "memory_limit_mb",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "metadata",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "metrics_measured",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "test_type",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "time_limit_ms",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "token_limit",
                schema: "suites",
                table: "benchmarks");

            migrationBuilder.DropColumn(
                name: "total_time_limit_ms",
                schema: "suites",
                table: "benchmarks");
        }
    }
}
