using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace BenchMesh.Runner.Data.Migrations
{
    /// <summary>
    /// The results' and the outbox's bodies (every sample of a benchmark, tens of MB) compressed with lz4 instead of
    /// PostgreSQL's default pglz when PostgreSQL was built with lz4 (Debian's and the official images are): the worker's
    /// commit of its results is mostly PostgreSQL compressing the two bodies, and lz4 does it several times faster for about
    /// the same size (docs/timing.md, "Fourth pass"). A server without lz4 keeps pglz: the statement is skipped, not failed.
    /// Only values written from now on are compressed with lz4; stored ones stay as they are and read the same. Not in the
    /// model: EF would emit the clause unconditionally.
    /// </summary>
    public partial class Lz4ResultBodies : Migration
    {
        private static string SetCompression(string method) => $"""
            DO $$
            BEGIN
                EXECUTE 'ALTER TABLE runner.benchmark_results ALTER COLUMN body SET COMPRESSION {method}';
                EXECUTE 'ALTER TABLE runner.outbox_messages ALTER COLUMN body SET COMPRESSION {method}';
            EXCEPTION WHEN feature_not_supported THEN
                RAISE NOTICE 'PostgreSQL was built without {method}: the result bodies keep the default compression';
            END $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(SetCompression("lz4"));

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(SetCompression("pglz"));
    }
}
