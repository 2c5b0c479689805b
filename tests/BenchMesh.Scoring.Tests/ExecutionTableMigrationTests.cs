using BenchMesh.Scoring.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace BenchMesh.Scoring.Tests;

/// <summary>The migration to the specification's column names keeps the rows stored before it, on a real PostgreSQL.</summary>
public sealed class ExecutionTableMigrationTests(Infrastructure infra) : IClassFixture<Infrastructure>
{
    private const string BeforeSpecificationColumns = "20261126162839_OutboxTraceParent";

    [Fact]
    public async Task Rows_stored_before_the_renames_are_kept_under_the_new_names_with_the_new_statuses()
    {
        var options = new DbContextOptionsBuilder<ScoringDbContext>().UseNpgsql(infra.CreateDatabase("scoring_migration")).Options;
        await using var db = new ScoringDbContext(options);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(BeforeSpecificationColumns);

        var completed = Guid.NewGuid();
        var terminated = Guid.NewGuid();
        var failed = Guid.NewGuid();
        foreach (var (id, status, early) in new[] { (completed, "completed", false), (terminated, "completed", true), (failed, "failed", false) })
        {
            // The old column names, as the service wrote them before this migration.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO scoring.benchmark_executions
                    (execution_id, run_id, agent_id, agent_name, agent_version, suite_id, suite_category, benchmark_id, benchmark_name,
                     benchmark_category, accuracy_score, speed_score, efficiency_score, cost_score, reliability_score, overall_score,
                     execution_time_ms, tokens_used, api_calls_made, cost_usd, status, error_message, metrics, warmup_runs, iterations,
                     terminated_early, worker_id, started_at, completed_at, created_at)
                VALUES ({id}, {Guid.NewGuid()}, {Guid.NewGuid()}, 'old-bot', '0.9', {Guid.NewGuid()}, 'math', {Guid.NewGuid()}, 'sums',
                        'math', 0.5, 0.5, 0.5, 0.5, 1, 0.6, 1234, 45, 4, 0.003, {status}, 'timeout: slow', {"{}"}::jsonb, 1, 2,
                        {early}, 'worker-1', '2026-11-01T10:00:00Z', '2026-11-01T10:00:01.234Z', '2026-11-01T10:00:02Z')
                """);
        }

        await migrator.MigrateAsync();
        db.ChangeTracker.Clear();

        var rows = await db.BenchmarkExecutions.AsNoTracking().ToDictionaryAsync(e => e.ExecutionId);
        Assert.Equal(3, rows.Count);
        var row = rows[completed];
        Assert.Equal("success", row.Status);
        Assert.Equal("terminated", rows[terminated].Status);
        Assert.Equal("failed", rows[failed].Status);
        Assert.Equal(1234, row.TotalDurationMs);
        Assert.Equal("timeout: slow", row.ErrorDetails);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero), row.StartTime);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 10, 0, 1, 234, TimeSpan.Zero), row.EndTime);
        Assert.Equal(1, row.Concurrency);
        Assert.Equal(1, row.MessageSchemaVersion);
        Assert.Null(row.WorkspaceId);
        Assert.Null(row.PercentileRank);

        var indexes = await db.Database
            .SqlQuery<string>($"SELECT indexname AS \"Value\" FROM pg_indexes WHERE schemaname = 'scoring' AND tablename = 'benchmark_executions'")
            .ToListAsync();
        Assert.Contains("idx_benchmark_exec_agent", indexes);
        Assert.Contains("idx_benchmark_exec_suite", indexes);
        Assert.Contains("idx_benchmark_exec_scores", indexes);
    }
}
