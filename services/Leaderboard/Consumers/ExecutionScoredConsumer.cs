using System.Text.Json;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Views;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults.Workspaces;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Leaderboard.Consumers;

/// <summary>
/// Projects a scored execution into the leaderboard's table, once per execution id, and asks for the analytics views to
/// be refreshed (which then invalidates the cache).
/// </summary>
public sealed class ExecutionScoredConsumer(LeaderboardDbContext db, ViewRefresher views, ILogger<ExecutionScoredConsumer> logger)
    : IConsumer<ExecutionScored>
{
    public async Task Consume(ConsumeContext<ExecutionScored> context)
    {
        var m = context.Message;
        if (await db.Scores.AnyAsync(s => s.ExecutionId == m.ExecutionId, context.CancellationToken))
        {
            logger.LogInformation("Execution {ExecutionId} is already on the leaderboard; ignoring the duplicate", m.ExecutionId);
            return;
        }

        db.Scores.Add(new AgentBenchmarkScore
        {
            ExecutionId = m.ExecutionId,
            RunId = m.RunId,
            AgentId = m.AgentId,
            AgentName = m.AgentName,
            AgentVersion = m.AgentVersion,
            WorkspaceId = WorkspaceOwner.Of(m.WorkspaceId),
            SuiteId = m.SuiteId,
            SuiteCategory = m.SuiteCategory,
            BenchmarkId = m.BenchmarkId,
            BenchmarkName = m.BenchmarkName,
            BenchmarkCategory = m.BenchmarkCategory,
            Status = m.Status,
            ExecutionStatus = ExecutionStatusValues.Of(m),
            AccuracyScore = m.Scores.AccuracyScore,
            SpeedScore = m.Scores.SpeedScore,
            EfficiencyScore = m.Scores.EfficiencyScore,
            CostScore = m.Scores.CostScore,
            ReliabilityScore = m.Scores.ReliabilityScore,
            OverallScore = m.Scores.OverallScore,
            Samples = m.Metrics.Samples,
            ErrorRate = m.Metrics.ErrorRate,
            MedianLatencyMs = m.Metrics.MedianLatencyMs,
            P95LatencyMs = m.Metrics.P95LatencyMs,
            MeanTokensPerTask = m.Metrics.MeanTokensPerTask,
            MeanCostPerTaskUsd = m.Metrics.MeanCostPerTaskUsd,
            TokensUsed = m.Metrics.TokensUsed,
            TotalCostUsd = m.Metrics.TotalCostUsd,
            ApiCallsMade = m.Metrics.ApiCallsMade,
            PerIteration = JsonSerializer.Serialize(m.Metrics.PerIteration, ServiceDefaultsExtensions.PublicJson),
            ItemOutcomes = JsonSerializer.Serialize(m.ItemOutcomes, ServiceDefaultsExtensions.PublicJson),
            ScoredAt = m.ScoredAt.ToUniversalTime(),
        });

        try
        {
            await db.SaveChangesAsync(context.CancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            logger.LogInformation("Execution {ExecutionId} was projected concurrently; ignoring the duplicate", m.ExecutionId);
            return;
        }

        views.Request();
    }
}
