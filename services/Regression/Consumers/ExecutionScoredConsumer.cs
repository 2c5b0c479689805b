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
/// under the previous version. Each regressed metric becomes a row in <c>regressions</c> and a
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
        if (await db.VersionResults.AnyAsync(r => r.ExecutionId == scored.ExecutionId, ct))
        {
            logger.LogDebug("Execution {ExecutionId} already judged; ignoring the re-delivery", scored.ExecutionId);
            return;
        }

        var now = clock.GetUtcNow();
        var candidate = new VersionResult
        {
            ExecutionId = scored.ExecutionId,
            RunId = scored.RunId,
            AgentId = scored.AgentId,
            AgentName = scored.AgentName,
            AgentVersion = scored.AgentVersion,
            SuiteId = scored.SuiteId,
            BenchmarkId = scored.BenchmarkId,
            BenchmarkName = scored.BenchmarkName,
            Status = scored.Status,
            Samples = scored.Metrics.Samples,
            Accuracy = scored.Metrics.Accuracy,
            MedianLatencyMs = scored.Metrics.MedianLatencyMs,
            MeanCostPerTaskUsd = scored.Metrics.MeanCostPerTaskUsd,
            MeanTokensPerTask = scored.Metrics.MeanTokensPerTask,
            ErrorRate = scored.Metrics.ErrorRate,
            ScoredAt = scored.ScoredAt.ToUniversalTime(),
            ReceivedAt = now,
        };
        db.VersionResults.Add(candidate);

        var baseline = await FindBaselineAsync(candidate, ct);
        if (baseline is not null)
        {
            var threshold = options.Value.Threshold;
            var verdicts = detector.Detect(Snapshot(baseline), Snapshot(candidate), new DetectionOptions { Threshold = threshold });
            foreach (var verdict in verdicts.Where(v => v.IsRegression))
            {
                var regression = new RegressionDetected
                {
                    // Derived from the execution and metric so that even a racing duplicate carries the same ids.
                    RegressionId = DeterministicId(scored.ExecutionId, verdict.Metric),
                    AgentId = scored.AgentId,
                    AgentName = scored.AgentName,
                    SuiteId = scored.SuiteId,
                    BenchmarkId = scored.BenchmarkId,
                    BenchmarkName = scored.BenchmarkName,
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
                    ExecutionId = scored.ExecutionId,
                    RunId = scored.RunId,
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
            }

            logger.LogInformation(
                "Execution {ExecutionId} of {Agent} {Version} on {Benchmark} judged against {BaselineVersion}: {Count} regression(s)",
                scored.ExecutionId, scored.AgentName, candidate.AgentVersion, scored.BenchmarkName, baseline.AgentVersion,
                verdicts.Count(v => v.IsRegression));
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Two deliveries of the same execution raced past the check above; the other one won and wrote
            // everything, including the events.
            logger.LogDebug("Execution {ExecutionId} was stored by a concurrent delivery", scored.ExecutionId);
        }
    }

    /// <summary>
    /// The latest execution of the same agent and benchmark under the closest earlier version that ran this
    /// benchmark. Executions of the candidate's own version are never a baseline.
    /// </summary>
    private async Task<VersionResult?> FindBaselineAsync(VersionResult candidate, CancellationToken ct)
    {
        var known = await db.VersionsOfAsync(candidate.AgentId, ct);
        var firstSeen = known.FirstOrDefault(v => v.Version == candidate.AgentVersion)?.FirstSeenAt;
        var ordered = VersionHistory.Order(known
            .Where(v => v.Version != candidate.AgentVersion)
            .Append(new SeenVersion(candidate.AgentVersion, firstSeen is { } f && f < candidate.ScoredAt ? f : candidate.ScoredAt)));
        var earlier = ordered.TakeWhile(v => v.Version != candidate.AgentVersion).Select(v => v.Version).ToList();
        if (earlier.Count == 0)
        {
            return null;
        }

        var withBenchmark = await db.VersionResults
            .Where(r => r.AgentId == candidate.AgentId && r.BenchmarkId == candidate.BenchmarkId && earlier.Contains(r.AgentVersion))
            .Select(r => r.AgentVersion)
            .Distinct()
            .ToListAsync(ct);
        var baselineVersion = earlier.LastOrDefault(withBenchmark.Contains);
        if (baselineVersion is null)
        {
            return null;
        }

        return await db.VersionResults
            .Where(r => r.AgentId == candidate.AgentId && r.BenchmarkId == candidate.BenchmarkId && r.AgentVersion == baselineVersion)
            .OrderByDescending(r => r.ScoredAt)
            .FirstAsync(ct);
    }

    internal static MetricSnapshot Snapshot(VersionResult r) => new(
        r.AgentVersion,
        r.BenchmarkName,
        new MetricValues(r.Accuracy, r.MedianLatencyMs, r.MeanCostPerTaskUsd, r.MeanTokensPerTask, r.ErrorRate));

    private static Guid DeterministicId(Guid executionId, string metric)
    {
        Span<byte> bytes = stackalloc byte[16];
        executionId.TryWriteBytes(bytes);
        var hash = System.Security.Cryptography.SHA256.HashData(
            [.. bytes, .. System.Text.Encoding.UTF8.GetBytes(metric)]);
        return new Guid(hash.AsSpan(0, 16));
    }
}
