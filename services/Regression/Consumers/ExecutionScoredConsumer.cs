using BenchMesh.Contracts.Regression;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Regression.Consumers;

/// <summary>Settings of the regressions raised as executions arrive (section <c>Regression</c>).</summary>
public sealed class RegressionOptions
{
    /// <summary>Relative change in the bad direction that raises a RegressionDetected (0.1 = 10 %).</summary>
    public double Threshold { get; set; } = DetectionOptions.DefaultThreshold;
}

/// <summary>
/// Stores every scored execution and judges it against the latest execution of the same agent and benchmark
/// under the previous version (and, when it arrived after a later version's, judges that one against it). Each regressed metric becomes a row in <c>regressions</c> and a
/// <see cref="RegressionDetected"/> in the outbox, written in the same SaveChanges as the execution, so a
/// re-delivered message (same execution id) finds the execution stored and raises nothing twice.
/// </summary>
public sealed class ExecutionScoredConsumer(
    RegressionDbContext db,
    IRegressionDetector detector,
    IOptions<RegressionOptions> options,
    TimeProvider clock,
    ILogger<ExecutionScoredConsumer> logger) : IConsumer<ExecutionScored>
{
    public async Task Consume(ConsumeContext<ExecutionScored> context)
    {
        var scored = context.Message;
        var ct = context.CancellationToken;

        // Executions of one agent are judged one at a time, across consumers and replicas: two versions scored
        // at the same moment would otherwise each look for the other before either is stored.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"SELECT pg_advisory_xact_lock(hashtextextended({scored.AgentId.ToString()}, 0))", ct);

        if (await db.VersionResults.AnyAsync(r => r.ExecutionId == scored.ExecutionId, ct))
        {
            logger.LogDebug("Execution {ExecutionId} already judged; ignoring the re-delivery", scored.ExecutionId);
            return;
        }

        var now = clock.GetUtcNow();
        var candidate = VersionResult.From(scored, receivedAt: now);
        db.VersionResults.Add(candidate);

        var (baseline, successor) = await FindNeighboursAsync(candidate, ct);
        if (baseline is not null)
        {
            // The candidate has no regression rows yet: it was proven unseen above, under the agent's lock.
            JudgeAgainst(baseline, candidate, alreadyRaised: [], now);
        }

        // Arrived late: a later version of this benchmark was judged before this one was known. Judge that
        // version's latest execution against this one now (metrics already raised for it are not raised again).
        if (successor is not null)
        {
            var alreadyRaised = await db.Regressions
                .Where(r => r.ExecutionId == successor.ExecutionId)
                .Select(r => r.Metric)
                .ToListAsync(ct);
            JudgeAgainst(candidate, successor, alreadyRaised, now);
        }

        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Two deliveries of the same execution raced past the check above; the other one won and wrote
            // everything, including the events.
            logger.LogDebug("Execution {ExecutionId} was stored by a concurrent delivery", scored.ExecutionId);
        }
    }

    /// <summary>
    /// Adds a regression row and a RegressionDetected for every metric of <paramref name="candidate"/> that regressed,
    /// except those in <paramref name="alreadyRaised"/> (the metrics it already has regression rows for).
    /// </summary>
    private void JudgeAgainst(VersionResult baseline, VersionResult candidate, IReadOnlyCollection<string> alreadyRaised, DateTimeOffset now)
    {
        var threshold = options.Value.Threshold;
        var verdicts = detector.Detect(baseline.ToSnapshot(), candidate.ToSnapshot(), new DetectionOptions { Threshold = threshold });
        var raised = 0;
        foreach (var verdict in verdicts.Where(v => v.IsRegression && !alreadyRaised.Contains(v.Metric)))
        {
            var regression = new RegressionDetected
            {
                // Derived from the execution and metric so that even a racing duplicate carries the same ids.
                RegressionId = DeterministicId(candidate.ExecutionId, verdict.Metric),
                AgentId = candidate.AgentId,
                AgentName = candidate.AgentName,
                SuiteId = candidate.SuiteId,
                BenchmarkId = candidate.BenchmarkId,
                BenchmarkName = candidate.BenchmarkName,
                CandidateVersion = candidate.AgentVersion,
                BaselineVersion = baseline.AgentVersion,
                Metric = verdict.Metric,
                Direction = verdict.Direction,
                BaselineValue = verdict.BaselineValue,
                CurrentValue = verdict.CurrentValue,
                RegressionPercentage = verdict.Change ?? 0,
                Threshold = threshold,
                Severity = verdict.Severity!,
                Detector = detector.Name,
                ExecutionId = candidate.ExecutionId,
                RunId = candidate.RunId,
                DetectedAt = now,
            };
            db.Regressions.Add(new RegressionRecord
            {
                RegressionId = regression.RegressionId,
                ExecutionId = regression.ExecutionId,
                BaselineExecutionId = baseline.ExecutionId,
                RunId = regression.RunId,
                AgentId = regression.AgentId,
                AgentName = regression.AgentName,
                SuiteId = regression.SuiteId,
                BenchmarkId = regression.BenchmarkId,
                BenchmarkName = regression.BenchmarkName,
                CandidateVersion = regression.CandidateVersion,
                BaselineVersion = regression.BaselineVersion,
                Metric = regression.Metric,
                Direction = regression.Direction,
                BaselineValue = regression.BaselineValue,
                CurrentValue = regression.CurrentValue,
                RegressionPercentage = regression.RegressionPercentage,
                Threshold = regression.Threshold,
                Severity = regression.Severity,
                Detector = regression.Detector,
                ImpactAnalysis = verdict.ImpactAnalysis!,
                DetectedAt = regression.DetectedAt,
            });
            db.AddOutboxMessage(regression, regression.RegressionId);
            raised++;
        }

        logger.LogInformation(
            "Execution {ExecutionId} of {Agent} {Version} on {Benchmark} judged against {BaselineVersion}: {Count} regression(s)",
            candidate.ExecutionId, candidate.AgentName, candidate.AgentVersion, candidate.BenchmarkName, baseline.AgentVersion, raised);
    }

    /// <summary>
    /// The latest execution of the same agent and benchmark under the closest earlier version that ran this
    /// benchmark (the baseline), and under the closest later one (the successor, when this execution arrived
    /// after it). Executions of the candidate's own version are never either.
    /// </summary>
    private async Task<(VersionResult? Baseline, VersionResult? Successor)> FindNeighboursAsync(VersionResult candidate, CancellationToken ct)
    {
        var known = await db.VersionsOfAsync(candidate.AgentId, ct);
        var firstSeen = known.FirstOrDefault(v => v.Version == candidate.AgentVersion)?.FirstSeenAt;
        var ordered = VersionHistory.Order(known
            .Where(v => v.Version != candidate.AgentVersion)
            .Append(new SeenVersion(candidate.AgentVersion, firstSeen is { } f && f < candidate.ScoredAt ? f : candidate.ScoredAt)))
            .Select(v => v.Version)
            .ToList();
        var position = ordered.IndexOf(candidate.AgentVersion);
        var earlier = ordered.Take(position).ToList();
        var later = ordered.Skip(position + 1).ToList();
        if (earlier.Count == 0 && later.Count == 0)
        {
            return (null, null);
        }

        var withBenchmark = await db.VersionResults
            .Where(r => r.AgentId == candidate.AgentId && r.BenchmarkId == candidate.BenchmarkId && r.AgentVersion != candidate.AgentVersion)
            .Select(r => r.AgentVersion)
            .Distinct()
            .ToListAsync(ct);
        var baselineVersion = earlier.LastOrDefault(withBenchmark.Contains);
        var successorVersion = later.FirstOrDefault(withBenchmark.Contains);
        return (await LatestAsync(candidate, baselineVersion, ct), await LatestAsync(candidate, successorVersion, ct));
    }

    private async Task<VersionResult?> LatestAsync(VersionResult candidate, string? version, CancellationToken ct) =>
        version is null
            ? null
            : await db.VersionResults
                .Where(r => r.AgentId == candidate.AgentId && r.BenchmarkId == candidate.BenchmarkId && r.AgentVersion == version)
                .OrderByDescending(r => r.ScoredAt)
                .FirstAsync(ct);

    private static Guid DeterministicId(Guid executionId, string metric)
    {
        Span<byte> bytes = stackalloc byte[16];
        executionId.TryWriteBytes(bytes);
        var hash = System.Security.Cryptography.SHA256.HashData(
            [.. bytes, .. System.Text.Encoding.UTF8.GetBytes(metric)]);
        return new Guid(hash.AsSpan(0, 16));
    }
}
