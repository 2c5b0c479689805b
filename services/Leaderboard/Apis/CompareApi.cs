using System.Text.Json;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Ranking;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Leaderboard.Apis;

/// <summary>
/// <c>POST /benchmarks/compare</c> (§9.1, §3.2): the head-to-head of two agent versions on a suite, or (<c>matrix</c>)
/// of every pair of up to ten. See docs/api.md, "Compare".
/// </summary>
public static class CompareApi
{
    public const string HeadToHead = "head_to_head";
    public const string Matrix = "matrix";
    public const int MinAgents = 2;
    public const int MaxAgents = 10;

    public static IEndpointRouteBuilder MapCompareApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/benchmarks/compare", CompareAsync).WithName("CompareAgents").WithTags("Leaderboard").RequireCaller();
        return app;
    }

    public static async Task<Results<Ok<HeadToHeadResponse>, Ok<MatrixResponse>, ValidationProblem, ProblemHttpResult>> CompareAsync(
        CompareRequest request, Caller caller, LeaderboardDbContext db, AgentComparer comparer, CancellationToken ct)
    {
        var (errors, entries, suiteId, type) = Validate(request);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var agentIds = entries.Select(e => e.AgentId).Distinct().ToList();
        // Another workspace's agent has no executions here for the caller: it answers as an agent without results does.
        var rows = await db.Scores.AsNoTracking()
            .VisibleTo(caller)
            .Where(s => s.SuiteId == suiteId && agentIds.Contains(s.AgentId))
            .OrderBy(s => s.ScoredAt).ThenBy(s => s.ExecutionId)
            .ToListAsync(ct);

        var resolved = entries.Select(e => Resolve(e, rows)).ToList();
        var missing = entries.Where((_, i) => resolved[i] is null).ToList();
        if (missing.Count > 0)
        {
            return TypedResults.Problem(
                title: "No results",
                detail: $"No scored executions on suite {suiteId} for {string.Join(", ", missing.Select(m => m.Describe()))}.",
                statusCode: StatusCodes.Status404NotFound,
                extensions: new Dictionary<string, object?> { ["missing"] = missing.Select(m => m.ToString()).ToList() });
        }

        var agents = resolved.Select(a => a!).ToList();
        // "<agent>" means its latest version, which may be the one another entry names.
        for (var i = 0; i < agents.Count; i++)
        {
            if (agents.FindIndex(a => a.Ref == agents[i].Ref) is var first && first < i)
            {
                errors.Add($"agent_ids[{i}]", $"is {agents[i].Ref}, the same agent version as agent_ids[{first}].");
            }
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        if (type == HeadToHead)
        {
            return TypedResults.Ok(new HeadToHeadResponse(suiteId, Pair(comparer.Compare(agents[0], agents[1]))));
        }

        var pairs = new List<PairComparison>();
        for (var i = 0; i < agents.Count; i++)
        {
            for (var j = i + 1; j < agents.Count; j++)
            {
                pairs.Add(Pair(comparer.Compare(agents[i], agents[j])));
            }
        }

        return TypedResults.Ok(new MatrixResponse(Matrix, suiteId, agents.Select(ComparedAgent.Of).ToList(), pairs));
    }

    /// <summary>The request's shape: field errors, else the parsed entries (in request order), suite and comparison type.</summary>
    private static (ValidationErrors Errors, List<AgentEntry> Entries, Guid SuiteId, string Type) Validate(CompareRequest request)
    {
        var errors = new ValidationErrors();
        var entries = new List<AgentEntry?>(); // by index, null where an entry is malformed
        if (request.AgentIds is null || request.AgentIds.Count < MinAgents || request.AgentIds.Count > MaxAgents)
        {
            errors.Add("agent_ids", $"must list {MinAgents} to {MaxAgents} agents.");
        }

        for (var i = 0; i < (request.AgentIds?.Count ?? 0); i++)
        {
            if (!AgentEntry.TryParse(request.AgentIds![i], out var entry, out var problem))
            {
                errors.Add($"agent_ids[{i}]", problem);
            }
            else if (entries.IndexOf(entry) is var first and >= 0)
            {
                errors.Add($"agent_ids[{i}]", $"is listed twice (agent_ids[{first}]).");
            }

            entries.Add(entry);
        }

        if (!Guid.TryParse(request.SuiteId, out var suiteId))
        {
            errors.Add("suite_id", "is required and must be a GUID.");
        }

        // §9.1's default.
        var type = request.ComparisonType is null ? HeadToHead : request.ComparisonType.Trim().ToLowerInvariant();
        if (type is not (HeadToHead or Matrix))
        {
            errors.Add("comparison_type", $"must be {HeadToHead} (the default) or {Matrix}.");
        }
        else if (type == HeadToHead && request.AgentIds is { Count: not 2 })
        {
            errors.Add("agent_ids", $"{HeadToHead} compares exactly 2 agents; use {Matrix} for more.");
        }

        return (errors, errors.IsValid ? entries.Select(e => e!).ToList() : [], suiteId, type);
    }

    private static PairComparison Pair(PairOutcome outcome) => new(
        ComparedAgent.Of(outcome.AgentA),
        ComparedAgent.Of(outcome.AgentB),
        outcome.OverallWinner,
        outcome.AgentAWins,
        outcome.AgentBWins,
        outcome.Categories.ToDictionary(c => c.Category, c => c.Winner, StringComparer.Ordinal),
        outcome.Categories,
        outcome.DetailedMetrics,
        outcome.DetailedMetrics.ToDictionary(m => m.Metric, m => m.StatisticalSignificance.PValue, StringComparer.Ordinal),
        ComparisonAdvice.Recommendations(outcome));

    /// <summary>
    /// The entry's executions on the suite, oldest first: of the version it names, else of the agent's most recently
    /// scored version there. Null when there are none. Every execution counts, failed ones too: a failure is part of
    /// the agent's record on the suite (its scores are zero, and its reliability shows it).
    /// </summary>
    private static AgentExecutions? Resolve(AgentEntry entry, List<AgentBenchmarkScore> rows)
    {
        var agentRows = rows.Where(r => r.AgentId == entry.AgentId).ToList();
        var version = entry.Version ?? agentRows.LastOrDefault()?.AgentVersion;
        var selected = agentRows.Where(r => r.AgentVersion == version).ToList();
        if (selected.Count == 0)
        {
            return null;
        }

        var executions = selected.Select(r =>
        {
            var passes = JsonSerializer.Deserialize<List<IterationMetrics>>(r.PerIteration, ServiceDefaultsExtensions.PublicJson) ?? [];
            return new ExecutionScores(
                r.BenchmarkId,
                r.BenchmarkCategory,
                new ScoreSet(r.OverallScore, r.AccuracyScore, r.SpeedScore, r.EfficiencyScore, r.CostScore, r.ReliabilityScore),
                passes.Select(p => p.Accuracy).ToList(),
                passes.Select(p => 1 - p.ErrorRate).ToList(),
                JsonSerializer.Deserialize<Dictionary<string, int[]>>(r.ItemOutcomes, ServiceDefaultsExtensions.PublicJson) ?? [],
                new ExecutionFigures(r.MeanCostPerTaskUsd, r.MedianLatencyMs, r.MeanTokensPerTask, r.ErrorRate));
        }).ToList();
        var latest = selected[^1];
        return new AgentExecutions(latest.AgentId, latest.AgentName, latest.AgentVersion, executions);
    }
}
