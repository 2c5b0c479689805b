using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Scoring.Data;
using BenchMesh.Scoring.Rubrics;
using BenchMesh.Scoring.Scoring;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Scoring.Consumers;

/// <summary>
/// Scores one executed benchmark: writes the execution, its samples (binary COPY, <see cref="ExecutionSampleCopy"/>) and
/// the <see cref="ExecutionScored"/> outbox message in one transaction. Delivery is at least once, so an execution already
/// stored is acknowledged as done (and its score announced again when the runner replays stored results). The bus retries
/// the consumer through outages of the database for minutes (BenchMesh.Messaging).
/// </summary>
public sealed class BenchmarkExecutedConsumer(ScoringDbContext db, TimeProvider clock, ILogger<BenchmarkExecutedConsumer> logger)
    : IConsumer<BenchmarkExecuted>
{
    public async Task Consume(ConsumeContext<BenchmarkExecuted> context)
    {
        var message = context.Message;
        if (await db.BenchmarkExecutions.AnyAsync(e => e.ExecutionId == message.ExecutionId, context.CancellationToken))
        {
            if (message.Replayed)
            {
                // The runner lost track of this score (a retried run) and sent the stored results again: the stored score
                // is announced again (its outbox row is queued once more); consumers ignore a score they already have.
                await db.OutboxMessages
                    .Where(m => m.MessageId == message.ExecutionId && m.SentAt != null)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.SentAt, (DateTimeOffset?)null), context.CancellationToken);
                logger.LogInformation("Execution {ExecutionId} is already scored; announcing its score again", message.ExecutionId);
                return;
            }

            logger.LogInformation("Execution {ExecutionId} is already scored; ignoring the duplicate", message.ExecutionId);
            return;
        }

        // Scoring's own time (rubrics, scores, derived columns) and the write's are phases of the execution's profile.
        var scoringStarted = clock.GetTimestamp();
        var items = message.Benchmark.Items
            .GroupBy(i => i.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rubrics = new RubricCache();
        var judged = message.Samples
            .Select(s => new JudgedSample(s, RubricEvaluator.Evaluate(s, items.GetValueOrDefault(s.ItemId), message.Benchmark.RubricJson, rubrics)))
            .ToList();
        // Schema-1 messages carry neither Termination nor the fields below; TerminatedEarly was always there.
        var card = ScoreCalculator.Calculate(judged, message.Benchmark.Constraints, message.TerminatedEarly || message.Termination is not null);
        var now = clock.GetUtcNow();

        var execution = ToExecution(message, card, now);
        execution.DeviationFromBaseline = ComparativeMetrics.DeviationFromBaseline(message.Benchmark.Baselines, message.Agent.AgentId, card.Scores);
        execution.PercentileRank = await PercentileRankAsync(execution, context.CancellationToken);
        execution.ScoringMs = clock.GetElapsedTime(scoringStarted).TotalMilliseconds;

        var samples = judged.Select(j => ToSample(message.ExecutionId, j, items.GetValueOrDefault(j.Sample.ItemId))).ToList();
        var scored = ToEvent(message, card, now);

        var persistenceStarted = clock.GetTimestamp();
        try
        {
            // The execution and its outbox row first (EF Core), then the samples (COPY), committed together; an attempt
            // that a transient failure interrupts is made again from the start, on a cleared change tracker.
            await db.InTransactionAsync(async token =>
            {
                db.BenchmarkExecutions.Add(execution);
                // The execution id doubles as the message id: a second outbox row for it would violate the unique index.
                db.AddOutboxMessage(scored, messageId: message.ExecutionId);
                await db.SaveChangesAsync(token);
                await ExecutionSampleCopy.WriteAsync(db, samples, token);
                return true;
            }, context.CancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent delivery of the same execution won the race; its rows and event stand.
            logger.LogInformation("Execution {ExecutionId} was scored concurrently; ignoring the duplicate", message.ExecutionId);
            return;
        }

        // The write's duration is known only once it has committed: a second, one-column update records it. Should the
        // service stop in between, the execution stands and its profile shows persistence as not measured.
        var persistenceMs = clock.GetElapsedTime(persistenceStarted).TotalMilliseconds;
        await db.BenchmarkExecutions.Where(e => e.ExecutionId == message.ExecutionId)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.PersistenceMs, persistenceMs), context.CancellationToken);

        logger.LogInformation(
            "Scored execution {ExecutionId} of {Agent} {Version} on {Benchmark}: overall {Overall:0.000}",
            message.ExecutionId, message.Agent.AgentName, message.Agent.Version, message.Benchmark.Name, card.Scores.OverallScore);
    }

    /// <summary>
    /// The execution's percentile among the same suite benchmark's executions scored in the last 30 days (docs/scoring.md).
    /// Frozen when scored: later executions do not change it (a concurrent one may not be counted).
    /// </summary>
    private async Task<double> PercentileRankAsync(BenchmarkExecution execution, CancellationToken ct)
    {
        var since = execution.CreatedAt - ComparativeMetrics.PercentileWindow;
        var overall = execution.OverallScore;
        var peers = await db.BenchmarkExecutions.AsNoTracking()
            .Where(e => e.SuiteId == execution.SuiteId && e.BenchmarkId == execution.BenchmarkId && e.CreatedAt >= since)
            // One group over all peers: the three counts in one round trip (COUNT(*) FILTER (...)).
            .GroupBy(_ => 1)
            .Select(g => new { All = g.Count(), Below = g.Count(e => e.OverallScore < overall), Tied = g.Count(e => e.OverallScore == overall) })
            .SingleOrDefaultAsync(ct);
        return ComparativeMetrics.PercentileRank(peers?.Below ?? 0, peers?.Tied ?? 0, peers?.All ?? 0);
    }

    /// <summary>
    /// An execution belongs to the workspace whose run produced it: its own agent's, or another workspace's public
    /// agent run by it. Runners from before workspaces sent none; then the agent's workspace applies.
    /// </summary>
    private static string? WorkspaceOf(BenchmarkExecuted m) => StoredText.WithoutNul(m.WorkspaceId ?? m.Agent.WorkspaceId);

    private static BenchmarkExecution ToExecution(BenchmarkExecuted m, ScoreCard card, DateTimeOffset now) => new()
    {
        ExecutionId = m.ExecutionId,
        RunId = m.RunId,
        AgentId = m.Agent.AgentId,
        AgentName = m.Agent.AgentName,
        AgentVersion = m.Agent.Version,
        WorkspaceId = WorkspaceOf(m),
        SuiteId = m.SuiteId,
        SuiteCategory = m.SuiteCategory,
        BenchmarkId = m.Benchmark.BenchmarkId,
        BenchmarkName = m.Benchmark.Name,
        BenchmarkCategory = m.Benchmark.Category,
        ExecutionEnvironment = m.Environment is null ? null : StoredText.Json(JsonSerializer.SerializeToNode(m.Environment, ServiceDefaultsExtensions.PublicJson)),
        ModelConfiguration = StoredText.Json(m.Agent.ModelConfigurationJson),
        StartTime = m.StartedAt.ToUniversalTime(),
        EndTime = m.CompletedAt.ToUniversalTime(),
        RequestedAt = m.RequestedAt?.ToUniversalTime(),
        TotalDurationMs = (long)Math.Max(0, (m.CompletedAt - m.StartedAt).TotalMilliseconds),
        AccuracyScore = card.Scores.AccuracyScore,
        SpeedScore = card.Scores.SpeedScore,
        EfficiencyScore = card.Scores.EfficiencyScore,
        CostScore = card.Scores.CostScore,
        ReliabilityScore = card.Scores.ReliabilityScore,
        OverallScore = card.Scores.OverallScore,
        TokensUsed = card.Metrics.TokensUsed,
        ApiCallsMade = card.Metrics.ApiCallsMade,
        CostUsd = card.Metrics.TotalCostUsd,
        MemoryPeakMb = card.Resources.MemoryPeakMb,
        CpuUsagePercent = card.Resources.CpuUsagePercent,
        OutputCorrectness = card.Quality.Correctness,
        OutputCompleteness = card.Quality.Completeness,
        OutputRelevance = card.Quality.Relevance,
        Status = card.ExecutionStatus,
        ErrorDetails = StoredText.WithoutNul(card.ErrorMessage),
        Metrics = MetricsJson(card),
        WarmupRuns = m.WarmupRuns,
        Iterations = m.Iterations,
        Concurrency = Math.Max(1, m.Concurrency),
        TerminatedEarly = m.TerminatedEarly || m.Termination is not null,
        TerminationReason = StoredText.WithoutNul(m.Termination?.Reason),
        TerminationAtMs = m.Termination?.AtMs,
        TerminationAfterCalls = m.Termination?.AfterCalls,
        TerminationDetail = StoredText.WithoutNul(m.Termination?.Detail),
        WarmupCalls = m.Warmup?.Calls,
        WarmupInputTokens = m.Warmup?.InputTokens,
        WarmupOutputTokens = m.Warmup?.OutputTokens,
        WarmupCostUsd = m.Warmup?.CostUsd,
        WarmupDurationMs = m.Warmup?.DurationMs,
        JudgeCalls = card.Judge.Calls,
        JudgeUngradable = card.Judge.Ungradable,
        JudgeInputTokens = card.Judge.InputTokens,
        JudgeOutputTokens = card.Judge.OutputTokens,
        JudgeCostUsd = card.Judge.CostUsd,
        JudgeDurationMs = card.Judge.DurationMs,
        MessageSchemaVersion = m.SchemaVersion,
        WorkerId = m.WorkerId,
        CreatedAt = now,
    };

    /// <summary>The raw metrics as stored and served: the contract's metrics plus the per-item outcomes and sample counts.</summary>
    private static string MetricsJson(ScoreCard card)
    {
        var node = JsonSerializer.SerializeToNode(card.Metrics, ServiceDefaultsExtensions.PublicJson)!.AsObject();
        node["scored_samples"] = card.ScoredSamples;
        node["unscored_samples"] = card.UnscoredSamples;
        node["item_outcomes"] = JsonSerializer.SerializeToNode(card.ItemOutcomes, ServiceDefaultsExtensions.PublicJson);
        return node.ToJsonString();
    }

    private static ExecutionSample ToSample(Guid executionId, JudgedSample j, DatasetItem? item) => new()
    {
        ExecutionId = executionId,
        Iteration = j.Sample.Iteration,
        ItemId = j.Sample.ItemId,
        // Judged as received; stored without NUL characters, which PostgreSQL's text type rejects.
        Output = StoredText.WithoutNul(j.Sample.Output),
        Expected = StoredText.WithoutNul(item?.Expected),
        DurationMs = j.Sample.DurationMs,
        TtftMs = j.Sample.TimeToFirstTokenMs,
        ConnectMs = j.Sample.ConnectMs,
        RequestWriteMs = j.Sample.RequestWriteMs,
        InputTokens = j.Sample.InputTokens,
        OutputTokens = j.Sample.OutputTokens,
        CachedInputTokens = j.Sample.CachedInputTokens,
        TokensReported = j.Sample.TokensReportedByAgent,
        CostUsd = j.Sample.CostUsd,
        PeakMemoryMb = j.Sample.PeakMemoryMb,
        CpuTimeMs = j.Sample.CpuTimeMs,
        ErrorKind = j.Sample.ErrorKind,
        Error = StoredText.WithoutNul(j.Sample.Error),
        HttpStatus = j.Sample.HttpStatus,
        Score = j.CountsForAccuracy ? j.Result.Score : null,
        Correct = j.CountsForAccuracy ? j.Result.Correct : null,
        Reason = StoredText.WithoutNul(j.Result.Reason)!,
        Judgement = j.Sample.Judgement is null ? null : StoredText.Json(JsonSerializer.SerializeToNode(j.Sample.Judgement, ServiceDefaultsExtensions.PublicJson)),
    };

    private static ExecutionScored ToEvent(BenchmarkExecuted m, ScoreCard card, DateTimeOffset now) => new()
    {
        ExecutionId = m.ExecutionId,
        RunId = m.RunId,
        AgentId = m.Agent.AgentId,
        AgentName = m.Agent.AgentName,
        AgentVersion = m.Agent.Version,
        WorkspaceId = WorkspaceOf(m),
        SuiteId = m.SuiteId,
        SuiteCategory = m.SuiteCategory,
        BenchmarkId = m.Benchmark.BenchmarkId,
        BenchmarkName = m.Benchmark.Name,
        BenchmarkCategory = m.Benchmark.Category,
        Status = card.Status,
        ExecutionStatus = card.ExecutionStatus,
        Scores = card.Scores,
        Metrics = card.Metrics,
        ItemOutcomes = card.ItemOutcomes,
        ScoredAt = now,
    };
}
