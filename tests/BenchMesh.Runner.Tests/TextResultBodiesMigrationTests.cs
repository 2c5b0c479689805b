using BenchMesh.Contracts.Runs;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Runner.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The migration of the results' and the outbox's bodies from jsonb to text keeps what was stored before it, on a real
/// PostgreSQL: stored results can still be replayed (<c>POST /benchmarks/runs/{run_id}/retry</c>) and an unsent outbox
/// row still relayed, both read back as the same message.
/// </summary>
public sealed class TextResultBodiesMigrationTests(Infrastructure infra) : IClassFixture<Infrastructure>
{
    private const string BeforeTextBodies = "20261206204945_InterleavedConfirmation";

    [Fact]
    public async Task Results_and_outbox_rows_stored_as_jsonb_read_back_as_the_same_message_after_the_migration()
    {
        var options = new DbContextOptionsBuilder<RunnerDbContext>().UseNpgsql(infra.CreateDatabase("runner_text_bodies")).Options;
        await using var db = new RunnerDbContext(options);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(BeforeTextBodies);

        var executed = Executed();
        var body = OutboxModelExtensions.SerializeMessage(executed);
        // As the worker wrote them before this migration: the same body in both jsonb columns.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO runner.benchmark_results (execution_id, run_id, body, samples, stored_at)
            VALUES ({executed.ExecutionId}, {executed.RunId}, {body}::jsonb, {executed.Samples.Count}, now())
            """);
        var outboxMessageId = Guid.NewGuid();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO runner.outbox_messages (message_id, message_type, body, created_at, attempts)
            VALUES ({outboxMessageId}, {typeof(BenchmarkExecuted).AssemblyQualifiedName}, {body}::jsonb, now(), 0)
            """);

        await migrator.MigrateAsync();
        db.ChangeTracker.Clear();

        var types = await db.Database.SqlQuery<string>($"""
            SELECT table_name || '.' || data_type AS "Value" FROM information_schema.columns
            WHERE table_schema = 'runner' AND column_name = 'body' ORDER BY table_name
            """).ToListAsync();
        Assert.Equal(["benchmark_results.text", "outbox_messages.text"], types);

        var result = await db.BenchmarkResults.AsNoTracking().SingleAsync(r => r.ExecutionId == executed.ExecutionId);
        var outbox = await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.MessageId == outboxMessageId);
        foreach (var stored in new[] { result.Body, outbox.Body })
        {
            // jsonb printed its own layout, not the serializer's: compared as messages, re-serialized.
            Assert.Equal(body, OutboxModelExtensions.SerializeMessage(OutboxModelExtensions.DeserializeMessage<BenchmarkExecuted>(stored)));
        }
    }

    private static BenchmarkExecuted Executed() => TestExecutions.Arithmetic(
        new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(1.5),
        new RawSample { Iteration = 0, ItemId = "q1", Output = "5", DurationMs = 0.125, InputTokens = 3, OutputTokens = 1, TokensReportedByAgent = true, CostUsd = 0.000001m },
        new RawSample { Iteration = 1, ItemId = "q1", Output = "\"five\" \u00e9", DurationMs = 12.5, InputTokens = 3, OutputTokens = 2, TokensReportedByAgent = false, CostUsd = 0m });
}
