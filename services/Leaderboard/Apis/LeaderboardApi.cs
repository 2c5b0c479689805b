using System.Globalization;
using System.Text.Json;
using BenchMesh.Leaderboard.Caching;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Ranking;
using BenchMesh.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Leaderboard.Apis;

public sealed record LeaderboardEntry(
    int Rank, Guid AgentId, string AgentName, string AgentVersion,
    double OverallScore, double AccuracyScore, double SpeedScore, double EfficiencyScore, double CostScore, double ReliabilityScore,
    int Executions, IReadOnlyDictionary<string, int> Ranks);

public sealed record LeaderboardResponse(string Category, string Metric, DateTimeOffset GeneratedAt, IReadOnlyList<LeaderboardEntry> Entries);

public static class LeaderboardApi
{
    public const string OverallCategory = "overall";
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapLeaderboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/leaderboard", GetLeaderboardAsync).WithName("GetLeaderboard").WithTags("Leaderboard");
        return app;
    }

    public static async Task<Results<Ok<LeaderboardResponse>, ValidationProblem>> GetLeaderboardAsync(
        [FromQuery(Name = "category")] string? category,
        [FromQuery(Name = "metric")] string? metric,
        [FromQuery(Name = "limit")] string? limit,
        LeaderboardDbContext db,
        LeaderboardCache cache,
        TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var canonicalMetric = ScoreMetrics.Normalize(metric);
        if (canonicalMetric is null)
        {
            errors.Add("metric", $"must be one of {string.Join(", ", ScoreMetrics.All)} (or their short forms).");
        }

        var take = DefaultLimit;
        if (!string.IsNullOrWhiteSpace(limit)
            && (!int.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out take) || take < 1 || take > MaxLimit))
        {
            errors.Add("limit", $"must be an integer between 1 and {MaxLimit}.");
        }

        var cat = string.IsNullOrWhiteSpace(category) ? OverallCategory : category.Trim().ToLowerInvariant();
        errors.MaxLength("category", cat, 100);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var (cached, key) = await cache.GetAsync($"{cat}:{canonicalMetric}:{take}");
        if (cached is not null && JsonSerializer.Deserialize<LeaderboardResponse>(cached, ServiceDefaultsExtensions.PublicJson) is { } hit)
        {
            return TypedResults.Ok(hit);
        }

        var latest = await LatestPerBenchmarkAsync(db, cat, ct);
        var ranked = LeaderboardRanker.Rank(latest, canonicalMetric!, take);
        var response = new LeaderboardResponse(cat, canonicalMetric!, clock.GetUtcNow(), ranked.Select(r => new LeaderboardEntry(
            r.Rank, r.AgentId, r.AgentName, r.AgentVersion,
            r.Scores.Overall, r.Scores.Accuracy, r.Scores.Speed, r.Scores.Efficiency, r.Scores.Cost, r.Scores.Reliability,
            r.Executions, r.Ranks)).ToList());

        if (key is not null)
        {
            await cache.SetAsync(key, JsonSerializer.Serialize(response, ServiceDefaultsExtensions.PublicJson));
        }

        return TypedResults.Ok(response);
    }

    /// <summary>The latest execution of each benchmark per agent version, in the category (suite or benchmark) unless overall.</summary>
    private static async Task<List<BenchmarkResult>> LatestPerBenchmarkAsync(LeaderboardDbContext db, string category, CancellationToken ct)
    {
        var all = category == OverallCategory;
        var rows = await db.Scores
            .FromSql($"""
                SELECT DISTINCT ON (agent_id, agent_version, benchmark_id) *
                FROM leaderboard.agent_benchmark_scores
                WHERE {all} OR lower(suite_category) = {category} OR lower(benchmark_category) = {category}
                ORDER BY agent_id, agent_version, benchmark_id, scored_at DESC, execution_id
                """)
            .AsNoTracking()
            .ToListAsync(ct);
        return rows.Select(r => new BenchmarkResult(r.AgentId, r.AgentName, r.AgentVersion, r.BenchmarkId,
            new ScoreSet(r.OverallScore, r.AccuracyScore, r.SpeedScore, r.EfficiencyScore, r.CostScore, r.ReliabilityScore))).ToList();
    }
}
