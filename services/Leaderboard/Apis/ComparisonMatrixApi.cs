using System.Text.Json;
using BenchMesh.Leaderboard.Caching;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Ranking;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Leaderboard.Apis;

/// <summary>One agent of the §3.1 matrix: its averages over the latest successful execution of each benchmark, ranked.</summary>
public sealed record ComparisonMatrixEntry(
    Guid AgentId,
    string AgentName,
    double OverallScore,
    long OverallRank,
    IReadOnlyDictionary<string, ScoreAndRank> ScoresAndRanks,
    long BenchmarksCompleted);

public sealed record ComparisonMatrixResponse(DateTimeOffset GeneratedAt, IReadOnlyList<ComparisonMatrixEntry> Agents);

/// <summary><c>GET /benchmarks/comparison-matrix</c>: the §3.1 view for a set of agents; see docs/api.md.</summary>
public static class ComparisonMatrixApi
{
    public const int MaxAgents = 100;

    /// <summary>The five scores of §3.1 (its overall score has fields of its own).</summary>
    private static readonly string[] Metrics = [.. BoardMetrics.Scores.Where(m => m != BoardMetrics.Overall)];

    public static IEndpointRouteBuilder MapComparisonMatrixApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/comparison-matrix", GetMatrixAsync).WithName("GetComparisonMatrix").WithTags("Leaderboard").RequireCaller();
        return app;
    }

    public static async Task<Results<Ok<ComparisonMatrixResponse>, ValidationProblem, ProblemHttpResult>> GetMatrixAsync(
        [FromQuery(Name = "agent_ids")] string[]? agentIds,
        Caller caller,
        LeaderboardDbContext db,
        LeaderboardCache cache,
        TimeProvider clock,
        CancellationToken ct)
    {
        // Comma-separated, in one parameter or repeated (agent_ids=a,b or agent_ids=a&agent_ids=b).
        var errors = new ValidationErrors();
        var ids = new List<Guid>();
        foreach (var text in (agentIds ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!Guid.TryParse(text, out var id))
            {
                errors.Add("agent_ids", $"'{(text.Length > 40 ? text[..40] + "…" : text)}' is not an agent id.");
            }
            else if (ids.Contains(id))
            {
                errors.Add("agent_ids", $"{id} is listed twice.");
            }
            else
            {
                ids.Add(id);
            }
        }

        if (ids.Count > MaxAgents)
        {
            errors.Add("agent_ids", $"must list at most {MaxAgents} agents.");
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var (cached, key) = await cache.GetAsync($"matrix:{caller.CacheScope()}:{string.Join(',', ids.Order())}");
        if (cached is not null && JsonSerializer.Deserialize<ComparisonMatrixResponse>(cached, ServiceDefaultsExtensions.PublicJson) is { } hit)
        {
            return TypedResults.Ok(hit);
        }

        // Ranks are among the workspace's agents, whichever of them are asked for: the whole workspace is ranked first.
        var visible = db.VisibleAgents(caller);
        var ranked = await db.ComparisonMatrix.Where(r => visible.Contains(r.AgentId)).AsNoTracking().ToListAsync(ct);
        WorkspaceRanks.RankWithin(ranked);
        var rows = ranked
            .Where(r => ids.Count == 0 || ids.Contains(r.AgentId))
            .OrderBy(r => r.OverallRank).ThenBy(r => r.AgentName, StringComparer.Ordinal).ThenBy(r => r.AgentId)
            .ToList();
        // Another workspace's agent is not in the workspace's matrix: it answers as an agent without results does.
        var missing = ids.Where(id => rows.All(r => r.AgentId != id)).ToList();
        if (missing.Count > 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Agents without a successful execution",
                detail: $"No successful execution is recorded for {string.Join(", ", missing)}.");
        }

        var response = new ComparisonMatrixResponse(clock.GetUtcNow(), rows.Select(r => new ComparisonMatrixEntry(
            r.AgentId, r.AgentName, r.OverallScore, r.OverallRank,
            Metrics.ToDictionary(m => m, m => ScoreAndRank.Of(BoardMetrics.Of(r, m)), StringComparer.Ordinal),
            r.BenchmarksCompleted)).ToList());
        if (key is not null)
        {
            await cache.SetAsync(key, JsonSerializer.Serialize(response, ServiceDefaultsExtensions.PublicJson));
        }

        return TypedResults.Ok(response);
    }
}
