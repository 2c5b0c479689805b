using System.Text.Json;
using BenchMesh.Contracts.Stress;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Stress.Data;
using BenchMesh.LoadEngine.Metrics;
using BenchMesh.LoadEngine.Scenarios;
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
    public static void End(StressDbContext db, StressRun run, ScenarioResult? result, string? error, DateTimeOffset now)
    {
        run.Status = result is null ? StressRunStatuses.Failed : StressRunStatuses.Completed;
        run.Error = error;
        run.CompletedAt = now;
        run.ResultJson = result is null ? null : JsonSerializer.Serialize(result, ServiceDefaultsExtensions.PublicJson);
        var totals = result is null ? null : Totals.Of(result);
        db.AddOutboxMessage(new StressTestCompleted
        {
            StressRunId = run.StressRunId,
            AgentId = run.AgentId,
            AgentVersion = run.AgentVersion,
            Scenario = run.Scenario,
            Status = run.Status,
            Requests = totals?.Requests ?? 0,
            Errors = totals?.Errors ?? 0,
            ErrorRate = totals?.ErrorRate ?? 0,
            AchievedRps = totals?.PeakAchievedRps ?? 0,
            P50LatencyMs = totals?.Latency.P50 ?? 0,
            P95LatencyMs = totals?.Latency.P95 ?? 0,
            P99LatencyMs = totals?.Latency.P99 ?? 0,
            Dropped = totals?.Dropped ?? 0,
            ResilienceScore = result?.ResilienceScore,
            ScalingLimits = result?.ScalingLimits ?? new Dictionary<string, double>(),
            Recommendations = result?.Recommendations ?? [],
            CompletedAt = now,
        });
    }

    /// <summary>
    /// A scenario's figures over all its phases: requests, errors and dropped starts summed, latency percentiles from the
    /// phases' merged histograms (not averaged percentiles), and the highest rate any phase achieved.
    /// </summary>
    private sealed record Totals(long Requests, long Errors, double ErrorRate, long Dropped, double PeakAchievedRps, LatencySummary Latency)
    {
        public static Totals Of(ScenarioResult result)
        {
            var merged = new LoadHistograms();
            foreach (var phase in result.Phases)
            {
                merged.Add(phase.Result.Histograms);
            }

            var requests = result.Phases.Sum(p => p.Result.Requests);
            var errors = result.Phases.Sum(p => p.Result.ErrorCount);
            return new Totals(
                requests,
                errors,
                requests == 0 ? 0 : (double)errors / requests,
                result.Phases.Sum(p => p.Result.Dropped),
                result.Phases.Count == 0 ? 0 : result.Phases.Max(p => p.Result.AchievedRps),
                LatencySummary.Of(merged.Latency));
        }
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
