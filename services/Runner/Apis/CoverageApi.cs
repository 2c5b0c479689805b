using BenchMesh.Catalog;
using BenchMesh.Runner.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Apis;

/// <summary>
/// <c>GET /benchmarks/coverage</c> (docs/api.md, "Coverage"). An agent is <em>active</em> when it is registered and has
/// at least one version (one without a version cannot be run); it is <em>benchmarked</em> when a benchmark execution of
/// any of its versions, in any suite, was scored within the window. A scored execution is the unit because it is what
/// the leaderboard and regression detection consume: a run in which one benchmark failed still measured the agent.
/// The report is the caller's workspace's: its own agents, benchmarked by its own runs, scheduled by its own schedules.
/// </summary>
public static class CoverageApi
{
    public const int DefaultWindowDays = 30;
    private const int MaxWindowDays = 366;

    public static IEndpointRouteBuilder MapCoverageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/coverage", GetCoverageAsync).WithTags("Coverage").WithName("GetCoverage")
            .WithSummary("The share of active agents benchmarked in the window, and the stale ones.")
            .RequireCaller();
        return app;
    }

    public static async Task<Results<Ok<CoverageResponse>, ValidationProblem, ProblemHttpResult>> GetCoverageAsync(
        [FromQuery(Name = "window_days")] int? windowDays, Caller caller, RunnerDbContext db, ISuiteCatalog catalog, TimeProvider time,
        CancellationToken ct)
    {
        var errors = new ValidationErrors().Range("window_days", windowDays, 1, MaxWindowDays);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        IReadOnlyList<CatalogAgent> agents;
        try
        {
            agents = await catalog.ListAgentsAsync(ct);
        }
        catch (SuiteCatalogUnavailableException e)
        {
            return CatalogProblems.Unavailable(e);
        }

        var active = agents.Where(a => a.Versions.Count > 0 && caller.Owns(a)).ToList();
        var ids = active.Select(a => a.AgentId).ToList();
        var lastScored = await db.RunBenchmarks.AsNoTracking()
            .Where(b => b.ScoredAt != null)
            .Join(db.Runs.Where(r => r.WorkspaceId == caller.WorkspaceId && ids.Contains(r.AgentId)), b => b.RunId, r => r.RunId,
                (b, r) => new { r.AgentId, b.ScoredAt })
            .GroupBy(x => x.AgentId)
            .Select(g => new { AgentId = g.Key, Last = g.Max(x => x.ScoredAt) })
            .ToDictionaryAsync(x => x.AgentId, x => x.Last, ct);
        var scheduled = (await db.Schedules.AsNoTracking()
                .Where(s => s.WorkspaceId == caller.WorkspaceId && ids.Contains(s.AgentId)).Select(s => s.AgentId).Distinct().ToListAsync(ct))
            .ToHashSet();

        var now = time.GetUtcNow();
        var days = windowDays ?? DefaultWindowDays;
        var since = now.AddDays(-days);
        var stale = active
            .Where(a => lastScored.GetValueOrDefault(a.AgentId) is not { } last || last < since)
            .Select(a => new StaleAgent(a.AgentId, a.Name, a.Versions[^1], lastScored.GetValueOrDefault(a.AgentId), scheduled.Contains(a.AgentId)))
            .OrderBy(a => a.LastBenchmarkedAt ?? DateTimeOffset.MinValue).ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
        var benchmarked = active.Count - stale.Count;
        return TypedResults.Ok(new CoverageResponse(
            days, since, now, active.Count, benchmarked, active.Count == 0 ? null : (double)benchmarked / active.Count, stale));
    }
}
