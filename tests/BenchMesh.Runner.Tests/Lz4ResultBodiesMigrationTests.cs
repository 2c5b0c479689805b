using BenchMesh.Contracts.Runs;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Runner.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The migration that compresses the results' and the outbox's bodies with lz4, on a real PostgreSQL (Debian's, built
/// with lz4): bodies stored before it keep pglz and read back the same; bodies the worker stores after it (results row
/// and outbox row in one SaveChanges, as <c>RunBenchmarkConsumer</c> does) are lz4 and read back the same.
/// </summary>
public sealed class Lz4ResultBodiesMigrationTests(Infrastructure infra) : IClassFixture<Infrastructure>
{
    private const string BeforeLz4 = "20261207113757_TextResultBodies";

    [Fact]
    public async Task Bodies_stored_before_keep_pglz_and_bodies_stored_after_are_lz4_both_read_back_the_same()
    {
        var options = new DbContextOptionsBuilder<RunnerDbContext>().UseNpgsql(infra.CreateDatabase("runner_lz4_bodies")).Options;
        await using var db = new RunnerDbContext(options);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(BeforeLz4);

        var before = Executed();
        var beforeBody = OutboxModelExtensions.SerializeMessage(before);
        var beforeMessageId = Guid.NewGuid();
        Store(db, before, beforeBody, beforeMessageId);
        await db.SaveChangesAsync();

        await migrator.MigrateAsync();
        db.ChangeTracker.Clear();

        var methods = await db.Database.SqlQuery<string>($"""
            SELECT c.relname || '.' || a.attcompression::text AS "Value" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'runner' AND a.attname = 'body' AND c.relname IN ('benchmark_results', 'outbox_messages') ORDER BY c.relname
            """).ToListAsync();
        Assert.Equal(["benchmark_results.l", "outbox_messages.l"], methods);

        var after = Executed();
        var afterBody = OutboxModelExtensions.SerializeMessage(after);
        var afterMessageId = Guid.NewGuid();
        Store(db, after, afterBody, afterMessageId);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        foreach (var (executed, body, messageId, method) in new[] { (before, beforeBody, beforeMessageId, "pglz"), (after, afterBody, afterMessageId, "lz4") })
        {
            var result = await db.BenchmarkResults.AsNoTracking().SingleAsync(r => r.ExecutionId == executed.ExecutionId);
            var outbox = await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.MessageId == messageId);
            Assert.Equal(body, result.Body);
            Assert.Equal(body, outbox.Body);
            var compressed = await db.Database.SqlQuery<string>($"""
                SELECT pg_column_compression(body) AS "Value" FROM runner.benchmark_results WHERE execution_id = {executed.ExecutionId}
                UNION ALL SELECT pg_column_compression(body) FROM runner.outbox_messages WHERE message_id = {messageId}
                """).ToListAsync();
            Assert.Equal([method, method], compressed);
        }
    }

    private static void Store(RunnerDbContext db, BenchmarkExecuted executed, string body, Guid messageId)
    {
        db.BenchmarkResults.Add(new BenchmarkResult
        {
            ExecutionId = executed.ExecutionId, RunId = executed.RunId, Body = body, Samples = executed.Samples.Count, StoredAt = DateTimeOffset.UtcNow,
        });
        db.AddSerializedOutboxMessage<BenchmarkExecuted>(body, messageId);
    }

    /// <summary>A body well above PostgreSQL's TOAST threshold (2 kB), so that it is compressed at all.</summary>
    private static BenchmarkExecuted Executed() => TestExecutions.Arithmetic(
        new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(1.5),
        [.. Enumerable.Range(0, 500).Select(i => new RawSample
        {
            Iteration = i / 100, ItemId = "q1", Output = "5", DurationMs = 0.125 + (i * 0.001), InputTokens = 3, OutputTokens = 1,
            TokensReportedByAgent = false, CostUsd = 0.000001m, HttpStatus = 200, ConnectMs = 0.004, RequestWriteMs = 0.012,
        })]);
}
