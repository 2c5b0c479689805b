using System.Globalization;
using System.Text.Json;
using BenchMesh.Leaderboard.Caching;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Ranking;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Statistics.Procedures;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Leaderboard.Apis;

/// <summary>A metric's average score and its rank in the category (ties share a rank: 1, 2, 2, 4).</summary>
public sealed record ScoreAndRank(double Score, long Rank)
{
    public static ScoreAndRank Of((double Score, long Rank) value) => new(value.Score, value.Rank);
}

/// <summary>One agent (or agent version) in one category, over the executions of the last 30 days (§5.1).</summary>
public sealed record LeaderboardEntry(
    Guid AgentId,
    string AgentName,
    string? AgentVersion,
    string BenchmarkCategory,
    IReadOnlyDictionary<string, ScoreAndRank> ScoresAndRanks,
    long BenchmarksCompleted,
    long Executions,
    DateTimeOffset LastBenchmarkDate,
    long BestRanking,
    RankInterval RankInterval,
    bool TiedWithLeader);

public sealed record LeaderboardResponse(
    string Category, string Metric, string GroupBy, string Status, int WindowDays, DateTimeOffset GeneratedAt, IReadOnlyList<LeaderboardEntry> Entries);

/// <summary><c>GET /benchmarks/leaderboard</c> (§9.1) over the §5.1 view; see docs/api.md for every field.</summary>
public static class LeaderboardApi
{
    public const string OverallCategory = "overall";
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    public const int WindowDays = 30;

    /// <summary>The suite categories (the Suites service's <c>SuiteCategories</c>, §1.1 plus efficiency).</summary>
    public static readonly IReadOnlyList<string> Categories = ["speed", "accuracy", "efficiency", "reliability", "cost", "scalability", "comprehensive"];

    public const string GroupByAgent = "agent";
    public const string GroupByVersion = "version";
    public const string AllStatuses = "all";
    public const string SuccessOnly = "success";

    public static IEndpointRouteBuilder MapLeaderboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/leaderboard", GetLeaderboardAsync).WithName("GetLeaderboard").WithTags("Leaderboard").RequireCaller();
        return app;
    }

    /// <summary>What a cached answer is sent as: the JSON the first answer was, byte for byte.</summary>
    private const string JsonContentType = "application/json; charset=utf-8";

    public static async Task<Results<Ok<LeaderboardResponse>, FileContentHttpResult, ValidationProblem>> GetLeaderboardAsync(
        [FromQuery(Name = "category")] string? category,
        [FromQuery(Name = "metric")] string? metric,
        [FromQuery(Name = "limit")] string? limit,
        [FromQuery(Name = "group_by")] string? groupBy,
        [FromQuery(Name = "status")] string? status,
        Caller caller,
        LeaderboardDbContext db,
        LeaderboardCache cache,
        TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var canonicalMetric = BoardMetrics.Normalize(metric);
        if (canonicalMetric is null)
        {
            errors.Add("metric", $"must be {BoardMetrics.All} or one of {string.Join(", ", BoardMetrics.Scores)}.");
        }

        var take = DefaultLimit;
        if (!string.IsNullOrWhiteSpace(limit)
            && (!int.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out take) || take < 1 || take > MaxLimit))
        {
            errors.Add("limit", $"must be an integer between 1 and {MaxLimit}.");
        }

        var cat = OneOf(errors, "category", category, OverallCategory, [OverallCategory, .. Categories]);
        var group = OneOf(errors, "group_by", groupBy, GroupByAgent, [GroupByAgent, GroupByVersion]);
        var statuses = OneOf(errors, "status", status, AllStatuses, [AllStatuses, SuccessOnly]);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        // A cached answer is sent as the UTF-8 JSON it was stored as: no parse and re-serialization of a page that may be
        // 62 KB (limit=100) on every hit, which cost the service most of its CPU and allocation per cached request
        // (docs/gateway.md). Only this service writes these keys, from the same response type.
        var (cached, key) = await cache.GetUtf8Async($"{caller.CacheScope()}:{cat}:{canonicalMetric}:{take}:{group}:{statuses}");
        if (cached is not null)
        {
            return TypedResults.Bytes(cached, JsonContentType);
        }

        // The workspace's whole board: ranks and rank intervals are among all of its rows, whatever the limit.
        // Their intervals are computed once per view refresh and stored (StoredRankIntervals).
        var byVersion = group == GroupByVersion;
        var (board, uncertainty) = await StoredRankIntervals.BoardAsync(db, new BoardKey(caller.WorkspaceId, statuses, byVersion, cat), ct);

        var metrics = canonicalMetric == BoardMetrics.All ? BoardMetrics.Scores : [canonicalMetric!];
        var entries = Enumerable.Range(0, board.Count)
            .OrderBy(i => canonicalMetric == BoardMetrics.All ? board[i].BestRanking : BoardMetrics.Of(board[i], canonicalMetric!).Rank)
            .ThenBy(i => board[i].OverallRank)
            .ThenBy(i => board[i].AgentName, StringComparer.Ordinal)
            .ThenBy(i => board[i].AgentId)
            .ThenBy(i => board[i].AgentVersion, StringComparer.Ordinal)
            .Take(take)
            .Select(i =>
            {
                var r = board[i];
                return new LeaderboardEntry(
                    r.AgentId, r.AgentName, byVersion ? r.AgentVersion : null, r.BenchmarkCategory,
                    metrics.ToDictionary(m => m, m => ScoreAndRank.Of(BoardMetrics.Of(r, m)), StringComparer.Ordinal),
                    r.BenchmarksCompleted, r.Executions, r.LastBenchmarkDate, r.BestRanking, uncertainty[i].Interval, uncertainty[i].TiedWithLeader);
            })
            .ToList();
        var response = new LeaderboardResponse(cat, canonicalMetric!, group, statuses, WindowDays, clock.GetUtcNow(), entries);

        if (key is not null)
        {
            await cache.SetAsync(key, JsonSerializer.Serialize(response, ServiceDefaultsExtensions.PublicJson));
        }

        return TypedResults.Ok(response);
    }

    /// <summary>The value, trimmed and lower-cased, or <paramref name="fallback"/> when absent; a field error when not allowed.</summary>
    private static string OneOf(ValidationErrors errors, string field, string? value, string fallback, IReadOnlyList<string> allowed)
    {
        var v = string.IsNullOrWhiteSpace(value) ? fallback : value.Trim().ToLowerInvariant();
        if (!allowed.Contains(v, StringComparer.Ordinal))
        {
            errors.Add(field, $"must be one of {string.Join(", ", allowed)}.");
        }

        return v;
    }
}
