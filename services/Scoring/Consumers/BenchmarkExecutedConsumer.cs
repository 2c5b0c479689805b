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
/// Scores one executed benchmark: writes the execution, its samples and the <see cref="ExecutionScored"/> outbox
/// message in one transaction. Delivery is at least once, so an execution already stored is acknowledged as done.
/// </summary>
public sealed class BenchmarkExecutedConsumer(ScoringDbContext db, TimeProvider clock, ILogger<BenchmarkExecutedConsumer> logger)
    : IConsumer<BenchmarkExecuted>
{
    public async Task Consume(ConsumeContext<BenchmarkExecuted> context)
    {
        var message = context.Message;
        if (await db.BenchmarkExecutions.AnyAsync(e => e.ExecutionId == message.ExecutionId, context.CancellationToken))
        {
            logger.LogInformation("Execution {ExecutionId} is already scored; ignoring the duplicate", message.ExecutionId);
            return;
        }

        var items = message.Benchmark.Items
            .GroupBy(i => i.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var rubrics = new RubricCache();
        var judged = message.Samples
            .Select(s => new JudgedSample(s, RubricEvaluator.Evaluate(s, items.GetValueOrDefault(s.ItemId), message.Benchmark.RubricJson, rubrics)))
            .ToList();
        var card = ScoreCalculator.Calculate(judged, message.Benchmark.Constraints);
        var now = clock.GetUtcNow();

        db.BenchmarkExecutions.Add(ToExecution(message, card, now));
        db.ExecutionSamples.AddRange(judged.Select(j => ToSample(message.ExecutionId, j, items.GetValueOrDefault(j.Sample.ItemId))));

        // The execution id doubles as the message id: a second outbox row for it would violate the unique index.
        db.AddOutboxMessage(ToEvent(message, card, now), messageId: message.ExecutionId);

        try
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent delivery of the same execution won the race; its rows and event stand.
            logger.LogInformation("Execution {ExecutionId} was scored concurrently; ignoring the duplicate", message.ExecutionId);
            return;
        }

        logger.LogInformation(
            "Scored execution {ExecutionId} of {Agent} {Version} on {Benchmark}: overall {Overall:0.000}",
            message.ExecutionId, message.Agent.AgentName, message.Agent.Version, message.Benchmark.Name, card.Scores.OverallScore);
    }

    private static BenchmarkExecution ToExecution(BenchmarkExecuted m, ScoreCard card, DateTimeOffset now) => new()
    {
        ExecutionId = m.ExecutionId,
        RunId = m.RunId,
        AgentId = m.Agent.AgentId,
        AgentName = m.Agent.AgentName,
        AgentVersion = m.Agent.Version,
        SuiteId = m.SuiteId,
        SuiteCategory = m.SuiteCategory,
        BenchmarkId = m.Benchmark.BenchmarkId,
        BenchmarkName = m.Benchmark.Name,
        BenchmarkCategory = m.Benchmark.Category,
        AccuracyScore = card.Scores.AccuracyScore,
        SpeedScore = card.Scores.SpeedScore,
        EfficiencyScore = card.Scores.EfficiencyScore,
        CostScore = card.Scores.CostScore,
        ReliabilityScore = card.Scores.ReliabilityScore,
        OverallScore = card.Scores.OverallScore,
        ExecutionTimeMs = (long)Math.Max(0, (m.CompletedAt - m.StartedAt).TotalMilliseconds),
        TokensUsed = card.Metrics.TokensUsed,
        ApiCallsMade = card.Metrics.ApiCallsMade,
        CostUsd = card.Metrics.TotalCostUsd,
        Status = card.Status,
        ErrorMessage = StoredText.WithoutNul(card.ErrorMessage),
        Metrics = MetricsJson(card),
        WarmupRuns = m.WarmupRuns,
        Iterations = m.Iterations,
        TerminatedEarly = m.TerminatedEarly,
        WorkerId = m.WorkerId,
        StartedAt = m.StartedAt.ToUniversalTime(),
        CompletedAt = m.CompletedAt.ToUniversalTime(),
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
        InputTokens = j.Sample.InputTokens,
        OutputTokens = j.Sample.OutputTokens,
        TokensReported = j.Sample.TokensReportedByAgent,
        CostUsd = j.Sample.CostUsd,
        ErrorKind = j.Sample.ErrorKind,
        Error = StoredText.WithoutNul(j.Sample.Error),
        HttpStatus = j.Sample.HttpStatus,
        Score = j.CountsForAccuracy ? j.Result.Score : null,
        Correct = j.CountsForAccuracy ? j.Result.Score >= ScoreCalculator.CorrectThreshold : null,
        Reason = StoredText.WithoutNul(j.Result.Reason)!,
    };

    private static ExecutionScored ToEvent(BenchmarkExecuted m, ScoreCard card, DateTimeOffset now) => new()
    {
        ExecutionId = m.ExecutionId,
        RunId = m.RunId,
        AgentId = m.Agent.AgentId,
        AgentName = m.Agent.AgentName,
        AgentVersion = m.Agent.Version,
        SuiteId = m.SuiteId,
        SuiteCategory = m.SuiteCategory,
        BenchmarkId = m.Benchmark.BenchmarkId,
        BenchmarkName = m.Benchmark.Name,
        BenchmarkCategory = m.Benchmark.Category,
        Status = card.Status,
        Scores = card.Scores,
        Metrics = card.Metrics,
        ItemOutcomes = card.ItemOutcomes,
        ScoredAt = now,
    };
}
