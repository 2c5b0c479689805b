using System.Text.Json;
using BenchMesh.Contracts.Stress;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Load;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Runs;

/// <summary>How a run ends, in one place for the worker (a run it executed) and the sweeps (a run nobody will execute).</summary>
public static class StressRunOutcomes
{
    /// <summary>At most this many runs are failed per sweep; the next sweep takes the rest.</summary>
    private const int SweepBatch = 100;

    /// <summary>
    /// Records the end of <paramref name="run"/> (completed with <paramref name="result"/>, or failed with
    /// <paramref name="error"/>) and adds <see cref="StressTestCompleted"/> to the outbox: the caller saves both in
    /// one SaveChanges.
    /// </summary>
    public static void End(StressDbContext db, StressRun run, LoadResult? result, string? error, DateTimeOffset now)
    {
        run.Status = result is null ? StressRunStatuses.Failed : StressRunStatuses.Completed;
        run.Error = error;
        run.CompletedAt = now;
        run.ResultJson = result is null ? null : JsonSerializer.Serialize(result, ServiceDefaultsExtensions.PublicJson);
        db.AddOutboxMessage(new StressTestCompleted
        {
            StressRunId = run.StressRunId,
            AgentId = run.AgentId,
            AgentVersion = run.AgentVersion,
            Scenario = run.Scenario,
            Status = run.Status,
            Requests = result?.Requests ?? 0,
            Errors = result?.Errors ?? 0,
            ErrorRate = result?.ErrorRate ?? 0,
            AchievedRps = result?.AchievedRps ?? 0,
            P50LatencyMs = result?.LatencyMs.P50 ?? 0,
            P95LatencyMs = result?.LatencyMs.P95 ?? 0,
            P99LatencyMs = result?.LatencyMs.P99 ?? 0,
            CompletedAt = now,
        });
    }

    /// <summary>
    /// Fails the running runs among <paramref name="runs"/>, which no instance will execute any more, each with its
    /// <see cref="StressTestCompleted"/> (status failed) in the same SaveChanges. A run that ended meanwhile (its owner
    /// finished it, or another replica's sweep got there first) is left alone: <c>status</c> is a concurrency token,
    /// so an end is written, and published, once. Returns the number of runs failed.
    /// </summary>
    public static async Task<int> FailInterruptedAsync(
        StressDbContext db, IQueryable<StressRun> runs, Func<StressRun, string> reason, DateTimeOffset now, CancellationToken ct)
    {
        var interrupted = await runs.AsNoTracking()
            .Where(r => r.Status == StressRunStatuses.Running)
            .OrderBy(r => r.CreatedAt)
            .Take(SweepBatch)
            .ToListAsync(ct);
        var failed = 0;
        foreach (var run in interrupted)
        {
            db.StressRuns.Attach(run);
            End(db, run, result: null, reason(run), now);
            try
            {
                await db.SaveChangesAsync(ct);
                failed++;
            }
            catch (DbUpdateConcurrencyException)
            {
                // It ended meanwhile; its end and event were written by whoever ended it.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        return failed;
    }
}
