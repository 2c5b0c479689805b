using BenchMesh.Contracts.Regression;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.Statistics.Engine;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Regression.Consumers;

/// <summary>Settings of the regressions raised as executions arrive (section <c>Regression</c>).</summary>
public sealed class RegressionOptions
{
    /// <summary>
    /// Practical thresholds by metric, overriding the registry's (relative on log metrics — latency, cost, tokens —
    /// points on proportions — accuracy, error rate), e.g. <c>Regression:Thresholds:latency_ms = 0.05</c>.
    /// </summary>
    public Dictionary<string, double> Thresholds { get; set; } = [];

    public MetricRegistry Registry() => MetricRegistry.Default.WithThresholds(Thresholds);
}

/// <summary>
/// Stores every scored execution (with its measured passes and item outcomes) and judges the agent's whole history
/// with the regression engine: each benchmark × metric a series over the versions in the order they were first scored,
/// all of them one family for Benjamini-Hochberg. Every alert the engine raises that is not stored yet becomes a row in
/// <c>regressions</c> and a <see cref="RegressionDetected"/> in the outbox, in the same SaveChanges as the execution —
/// keyed by the alerted version's latest execution of that benchmark and the metric, so a re-delivered message (same
/// execution id) raises nothing twice, and an older version arriving late is judged in its place in the history.
/// Executions of one agent are judged one at a time (an advisory lock), across consumers and replicas.
/// </summary>
public sealed class ExecutionScoredConsumer(
    RegressionDbContext db,
    IOptions<RegressionOptions> options,
    TimeProvider clock,
    ILogger<ExecutionScoredConsumer> logger) : IConsumer<ExecutionScored>
{
    public async Task Consume(ConsumeContext<ExecutionScored> context)
    {
        var scored = context.Message;
        var ct = context.CancellationToken;

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

        var history = await db.VersionResults.AsNoTracking().Where(r => r.AgentId == scored.AgentId).ToListAsync(ct);
        history.Add(candidate);
        var order = VersionHistory.Order(history
            .GroupBy(r => r.AgentVersion)
            .Select(g => new SeenVersion(g.Key, g.Min(r => r.ScoredAt)))).Select(v => v.Version).ToList();
        var raised = await db.Regressions.Where(r => r.AgentId == scored.AgentId).Select(r => r.RegressionId).ToListAsync(ct);
        var known = raised.ToHashSet();
        var judgements = RegressionJudge.Judge(history, order, options.Value.Registry(), new RegressionEngine());
        var count = 0;
        foreach (var cell in judgements)
        {
            foreach (var alert in cell.Verdict.Alerts)
            {
                if (cell.Version(alert.AtVersion) is not { } at)
                {
                    continue;
                }

                var regressionId = DeterministicId(at.Latest.ExecutionId, cell.Metric.Name);
                if (known.Add(regressionId))
                {
                    Raise(cell, alert, at, regressionId, now);
                    count++;
                }
            }
        }

        logger.LogInformation(
            "Execution {ExecutionId} of {Agent} {Version} on {Benchmark}: history of {Versions} version(s) judged, {Count} new regression(s)",
            candidate.ExecutionId, candidate.AgentName, candidate.AgentVersion, candidate.BenchmarkName, order.Count, count);

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

    /// <summary>Adds the regression row and its RegressionDetected (through the outbox) for one alert.</summary>
    private void Raise(CellJudgement cell, Alert alert, VersionRuns at, Guid regressionId, DateTimeOffset now)
    {
        var execution = at.Latest;
        var metric = cell.Metric;
        var direction = metric.Direction == MetricDirection.HigherIsBetter ? RegressionMetrics.HigherIsBetter : RegressionMetrics.LowerIsBetter;
        var worsening = metric.Direction == MetricDirection.HigherIsBetter ? -alert.Effect.Estimate : alert.Effect.Estimate;
        var baselineValue = cell.MeanOver(alert.BaselineFromVersion, alert.BlamedVersion);
        var currentValue = RegressionJudge.Runs(at, metric.Name).DefaultIfEmpty(double.NaN).Average();
        var severity = SeverityName(alert.Severity);
        var regression = new RegressionDetected
        {
            SchemaVersion = 2,
            RegressionId = regressionId,
            AgentId = execution.AgentId,
            AgentName = execution.AgentName,
            SuiteId = execution.SuiteId,
            BenchmarkId = execution.BenchmarkId,
            BenchmarkName = cell.BenchmarkName,
            CandidateVersion = alert.AtVersion,
            BaselineVersion = alert.BaselineFromVersion,
            BlamedVersion = alert.BlamedVersion,
            Metric = metric.Name,
            Direction = direction,
            BaselineValue = baselineValue,
            CurrentValue = currentValue,
            RegressionPercentage = worsening,
            Threshold = metric.Threshold,
            Severity = severity,
            Detector = RegressionJudge.DetectorName,
            Path = SeriesJson.Name(alert.Path),
            Effect = new RegressionEffect(alert.Effect.Estimate, alert.Effect.Lower, alert.Effect.Upper),
            PValue = alert.PValue,
            QValue = alert.QValue,
            CandidateRuns = alert.CandidateRuns,
            BaselineRuns = alert.BaselineRuns,
            MinimumDetectableEffect = cell.Verdict.MinimumDetectableEffect,
            ExecutionId = execution.ExecutionId,
            RunId = execution.RunId,
            DetectedAt = now,
        };
        db.Regressions.Add(new RegressionRecord
        {
            RegressionId = regression.RegressionId,
            ExecutionId = regression.ExecutionId,
            BaselineExecutionId = cell.Version(alert.BaselineFromVersion)?.Latest.ExecutionId ?? Guid.Empty,
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
            BaselineValue = double.IsFinite(baselineValue) ? baselineValue : 0,
            CurrentValue = double.IsFinite(currentValue) ? currentValue : 0,
            RegressionPercentage = regression.RegressionPercentage,
            Threshold = regression.Threshold,
            Severity = regression.Severity,
            Detector = regression.Detector,
            ImpactAnalysis = ImpactOf(metric, alert, cell.BenchmarkName),
            DetectedAt = regression.DetectedAt,
            BlamedVersion = alert.BlamedVersion,
            Path = regression.Path,
            EffectLower = alert.Effect.Lower,
            EffectUpper = alert.Effect.Upper,
            PValue = alert.PValue,
            QValue = alert.QValue,
            MinimumDetectableEffect = regression.MinimumDetectableEffect,
            CandidateRuns = alert.CandidateRuns,
            BaselineRuns = alert.BaselineRuns,
        });
        db.AddOutboxMessage(regression, regression.RegressionId);
    }

    public static string SeverityName(Severity severity) => SeriesJson.Name(severity);

    /// <summary>One sentence a release manager can act on.</summary>
    public static string ImpactOf(MetricDefinition metric, Alert alert, string benchmark)
    {
        var e = alert.Effect;
        var change = metric.Scale == MetricScale.Log
            ? FormattableString.Invariant($"{e.Estimate:+0.#%;-0.#%} (95 % interval {e.Lower:+0.#%;-0.#%} to {e.Upper:+0.#%;-0.#%})")
            : FormattableString.Invariant($"{e.Estimate * 100:+0.#;-0.#} points (95 % interval {e.Lower * 100:+0.#;-0.#} to {e.Upper * 100:+0.#;-0.#})");
        var blame = alert.BlamedVersion == alert.AtVersion ? "" : $", first seen in {alert.BlamedVersion}";
        return FormattableString.Invariant($"{metric.Name} on {benchmark} moved {change} against the baseline since {alert.BaselineFromVersion}{blame} (p = {alert.PValue:G2}, q = {alert.QValue:G2}, {alert.CandidateRuns} vs {alert.BaselineRuns} runs).");
    }

    private static Guid DeterministicId(Guid executionId, string metric)
    {
        Span<byte> bytes = stackalloc byte[16];
        executionId.TryWriteBytes(bytes);
        var hash = System.Security.Cryptography.SHA256.HashData(
            [.. bytes, .. System.Text.Encoding.UTF8.GetBytes(metric)]);
        return new Guid(hash.AsSpan(0, 16));
    }
}
