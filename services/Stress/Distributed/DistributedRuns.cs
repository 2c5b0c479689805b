using System.Globalization;
using System.Text.Json;
using BenchMesh.Contracts.Stress;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Runs;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Distributed;

/// <summary>
/// The coordinator's side of a distributed run: its shares and their <see cref="RunStressShare"/> commands, written
/// with the run; and the deadline, after which a run whose shares have not all reported fails, naming them.
/// </summary>
public static class DistributedRuns
{
    /// <summary>At most this many overdue runs are failed per sweep; the next sweep takes the rest.</summary>
    private const int SweepBatch = 100;

    /// <summary>
    /// Makes <paramref name="run"/> a distributed run of <paramref name="shareParameters"/>.Count shares starting at
    /// <paramref name="startAt"/>: its shares (pending) and one <see cref="RunStressShare"/> each in the outbox, saved
    /// by the caller with the run in one SaveChanges, so that either all are published or none.
    /// </summary>
    public static void AddShares(
        StressDbContext db, StressRun run, IReadOnlyList<IReadOnlyDictionary<string, double>> shareParameters,
        DateTimeOffset startAt, DateTimeOffset deadlineAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(shareParameters);
        run.Workers = shareParameters.Count;
        run.StartAt = startAt;
        run.DeadlineAt = deadlineAt;
        for (var i = 0; i < shareParameters.Count; i++)
        {
            run.Shares.Add(new StressRunShare
            {
                StressRunId = run.StressRunId,
                ShareIndex = i + 1,
                Status = StressShareStatuses.Pending,
                ParametersJson = JsonSerializer.Serialize(shareParameters[i]),
            });
            db.AddOutboxMessage(new RunStressShare
            {
                StressRunId = run.StressRunId,
                ShareIndex = i + 1,
                ShareCount = shareParameters.Count,
                AgentId = run.AgentId,
                AgentVersion = run.AgentVersion,
                Scenario = run.Scenario,
                Parameters = shareParameters[i],
                StartAt = startAt,
                RequestedAt = now,
                SuiteId = run.SuiteId,
                BenchmarkId = run.BenchmarkId,
            });
        }
    }

    /// <summary>
    /// Fails the running distributed runs past their deadline, each with an error naming the shares that did not
    /// report and its <see cref="StressTestCompleted"/>. A run that ended meanwhile is left alone (as in
    /// <see cref="StressRunOutcomes.FailInterruptedAsync"/>). Returns the number of runs failed.
    /// </summary>
    public static async Task<int> FailOverdueAsync(StressDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var overdue = await db.StressRuns.AsNoTracking()
            .Where(r => r.Workers > 1 && r.Status == StressRunStatuses.Running && r.DeadlineAt < now)
            .OrderBy(r => r.DeadlineAt)
            .Take(SweepBatch)
            .Select(r => new
            {
                r.StressRunId,
                r.DeadlineAt,
                r.Workers,
                Missing = r.Shares
                    .Where(s => s.Status == StressShareStatuses.Pending || s.Status == StressShareStatuses.Running)
                    .OrderBy(s => s.ShareIndex)
                    .Select(s => new MissingShare(s.ShareIndex, s.Status, s.Worker, s.ClaimedAt))
                    .ToList(),
            })
            .ToListAsync(ct);
        if (overdue.Count == 0)
        {
            return 0;
        }

        var reasons = overdue.ToDictionary(r => r.StressRunId, r => MissingSharesError(r.DeadlineAt!.Value, r.Workers, r.Missing));
        var ids = reasons.Keys.ToList();
        return await StressRunOutcomes.FailInterruptedAsync(db, db.StressRuns.Where(r => ids.Contains(r.StressRunId)), run => reasons[run.StressRunId], now, ct);
    }

    /// <summary>A share that had not reported by the deadline.</summary>
    public sealed record MissingShare(int ShareIndex, string Status, string? Worker, DateTimeOffset? ClaimedAt);

    /// <summary>The error of a run whose <paramref name="missing"/> shares had not reported by <paramref name="deadline"/>.</summary>
    public static string MissingSharesError(DateTimeOffset deadline, int workers, IReadOnlyList<MissingShare> missing)
    {
        ArgumentNullException.ThrowIfNull(missing);
        var parts = missing.Select(s => s.Worker is null
            ? F($"share {s.ShareIndex}/{workers} was never taken by a worker")
            : F($"share {s.ShareIndex}/{workers} was taken by {s.Worker} at {s.ClaimedAt:O} and never reported (its worker may have stopped)"));
        return F($"the run passed its deadline ({deadline:O}) with {missing.Count} of {workers} shares missing: {string.Join("; ", parts)}. ")
            + F($"Run at least {workers} Stress instances that take shares.");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
