using System.Text.Json;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Ranking;
using BenchMesh.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Leaderboard.Apis;

/// <summary>Ids arrive as strings so that a malformed one is a field error rather than a bare 400.</summary>
public sealed record CompareRequest(IReadOnlyList<string>? AgentIds, string? SuiteId, string? ComparisonType);

public sealed record HeadToHeadResponse(
    string ComparisonType, Guid SuiteId, IReadOnlyList<AgentSummary> Agents, IReadOnlyList<MetricComparison> Metrics, Guid? Winner);

public sealed record MatrixResponse(
    string ComparisonType, Guid SuiteId, IReadOnlyList<AgentSummary> Agents, string Metric, int[][] WinMatrix);

public static class CompareApi
{
    public const string HeadToHead = "head_to_head";
    public const string Matrix = "matrix";
    public const int MinAgents = 2;
    public const int MaxAgents = 10;

    public static IEndpointRouteBuilder MapCompareApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/benchmarks/compare", CompareAsync).WithName("CompareAgents").WithTags("Leaderboard");
        return app;
    }

    public static async Task<Results<Ok<HeadToHeadResponse>, Ok<MatrixResponse>, ValidationProblem, ProblemHttpResult>> CompareAsync(
        CompareRequest request, LeaderboardDbContext db, AgentComparer comparer, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var agentIds = new List<Guid>();
        if (request.AgentIds is null || request.AgentIds.Count < MinAgents || request.AgentIds.Count > MaxAgents)
        {
            errors.Add("agent_ids", $"must list {MinAgents} to {MaxAgents} agents.");
        }

        for (var i = 0; i < (request.AgentIds?.Count ?? 0); i++)
        {
            if (Guid.TryParse(request.AgentIds![i], out var id))
            {
                if (agentIds.Contains(id))
                {
                    errors.Add($"agent_ids[{i}]", "is listed twice.");
                }

                agentIds.Add(id);
            }
            else
            {
                errors.Add($"agent_ids[{i}]", "must be a GUID.");
            }
        }

        if (!Guid.TryParse(request.SuiteId, out var suiteId))
        {
            errors.Add("suite_id", "is required and must be a GUID.");
        }

        var type = request.ComparisonType?.Trim().ToLowerInvariant();
        if (type is not (HeadToHead or Matrix))
        {
            errors.Add("comparison_type", $"must be {HeadToHead} or {Matrix}.");
        }
        else if (type == HeadToHead && request.AgentIds?.Count != 2)
        {
            errors.Add("agent_ids", "head_to_head compares exactly 2 agents.");
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var rows = await db.Scores.AsNoTracking()
            .Where(s => s.SuiteId == suiteId && agentIds.Contains(s.AgentId))
            .OrderBy(s => s.ScoredAt).ThenBy(s => s.ExecutionId)
            .ToListAsync(ct);

        var missing = agentIds.Where(id => rows.All(r => r.AgentId != id)).ToList();
        if (missing.Count > 0)
        {
            return TypedResults.Problem(
                title: "No results",
                detail: $"No scored executions on suite {suiteId} for agent(s) {string.Join(", ", missing)}.",
                statusCode: StatusCodes.Status404NotFound);
        }

        var agents = agentIds.Select(id => LatestVersion(rows.Where(r => r.AgentId == id).ToList())).ToList();
        var summaries = agents.Select(AgentSummary.Of).ToList();
        if (type == Matrix)
        {
            return TypedResults.Ok(new MatrixResponse(Matrix, suiteId, summaries, ScoreMetrics.Overall, AgentComparer.WinMatrix(agents)));
        }

        var metrics = comparer.HeadToHead(agents[0], agents[1]);
        var overallWinner = metrics.Single(m => m.Metric == ScoreMetrics.Overall).Winner;
        return TypedResults.Ok(new HeadToHeadResponse(HeadToHead, suiteId, summaries, metrics, overallWinner));
    }

    /// <summary>The agent's executions of its most recently scored version on the suite, oldest first.</summary>
    private static AgentExecutions LatestVersion(List<AgentBenchmarkScore> rows)
    {
        var latest = rows[^1];
        var executions = rows.Where(r => r.AgentVersion == latest.AgentVersion).Select(r =>
        {
            var passes = JsonSerializer.Deserialize<List<IterationMetrics>>(r.PerIteration, ServiceDefaultsExtensions.PublicJson) ?? [];
            return new ExecutionScores(
                r.BenchmarkId,
                new ScoreSet(r.OverallScore, r.AccuracyScore, r.SpeedScore, r.EfficiencyScore, r.CostScore, r.ReliabilityScore),
                passes.Select(p => p.Accuracy).ToList(),
                passes.Select(p => 1 - p.ErrorRate).ToList(),
                JsonSerializer.Deserialize<Dictionary<string, int[]>>(r.ItemOutcomes, ServiceDefaultsExtensions.PublicJson) ?? []);
        }).ToList();
        return new AgentExecutions(latest.AgentId, latest.AgentName, latest.AgentVersion, executions);
    }
}
