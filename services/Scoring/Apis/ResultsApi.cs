using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Scoring.Data;
using BenchMesh.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Scoring.Apis;

/// <summary>An execution as the public API shows it: the <c>benchmark_executions</c> columns.</summary>
public sealed record ExecutionResult(
    Guid ExecutionId, Guid RunId, Guid AgentId, string AgentName, string AgentVersion, Guid SuiteId, string SuiteCategory,
    Guid BenchmarkId, string BenchmarkName, string BenchmarkCategory,
    double AccuracyScore, double SpeedScore, double EfficiencyScore, double CostScore, double ReliabilityScore, double OverallScore,
    long ExecutionTimeMs, long TokensUsed, int ApiCallsMade, decimal CostUsd, string Status, string? ErrorMessage,
    JsonElement Metrics, int WarmupRuns, int Iterations, bool TerminatedEarly, string WorkerId,
    DateTimeOffset StartedAt, DateTimeOffset CompletedAt, DateTimeOffset CreatedAt);

public sealed record AgentResultsResponse(Guid AgentId, string Timeframe, Guid? SuiteId, IReadOnlyList<ExecutionResult> Results);

public static class ResultsApi
{
    /// <summary>The timeframes of <c>GET /benchmarks/agents/{agent_id}/results</c>.</summary>
    public static readonly IReadOnlyList<string> Timeframes = ["latest", "all", "30d"];

    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/agents/{agent_id}/results", GetAgentResultsAsync)
            .WithName("GetAgentResults")
            .WithTags("Results");
        return app;
    }

    // The ids are taken as strings so that a malformed one is a 400 ValidationProblem with its field, like every other input.
    public static async Task<Results<Ok<AgentResultsResponse>, ValidationProblem, ProblemHttpResult>> GetAgentResultsAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "agent_id")] string agentId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "suite_id")] string? suiteId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "timeframe")] string? timeframe,
        ScoringDbContext db,
        ISuiteCatalog catalog,
        TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!Guid.TryParse(agentId, out var agent))
        {
            errors.Add("agent_id", "must be a GUID.");
        }

        Guid? suite = null;
        if (!string.IsNullOrWhiteSpace(suiteId))
        {
            if (Guid.TryParse(suiteId, out var s))
            {
                suite = s;
            }
            else
            {
                errors.Add("suite_id", "must be a GUID.");
            }
        }

        var frame = string.IsNullOrWhiteSpace(timeframe) ? "latest" : timeframe.Trim().ToLowerInvariant();
        if (!Timeframes.Contains(frame))
        {
            errors.Add("timeframe", $"must be one of {string.Join(", ", Timeframes)}.");
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var query = db.BenchmarkExecutions.AsNoTracking().Where(e => e.AgentId == agent);
        var narrowed = suite is not null || frame == "30d";
        if (suite is { } sid)
        {
            query = query.Where(e => e.SuiteId == sid);
        }

        if (frame == "30d")
        {
            var since = clock.GetUtcNow().AddDays(-30);
            query = query.Where(e => e.CreatedAt >= since);
        }

        var rows = await query.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.ExecutionId).ToListAsync(ct);

        // No result of this agent at all: an agent registered a moment ago (200, empty) or an id Suites never
        // issued (404). Only then is Suites asked, so that its outage does not break reads of existing results.
        // Unless the query was narrowed (suite or 30d), its emptiness already says the agent has no result at all.
        if (rows.Count == 0
            && (!narrowed || !await db.BenchmarkExecutions.AnyAsync(e => e.AgentId == agent, ct))
            && await catalog.UnregisteredAgentProblemAsync(agent, ct) is { } problem)
        {
            return problem;
        }

        if (frame == "latest")
        {
            // The most recent execution per benchmark and version.
            rows = rows.GroupBy(e => (e.BenchmarkId, e.AgentVersion)).Select(g => g.First()).ToList();
        }

        return TypedResults.Ok(new AgentResultsResponse(agent, frame, suite, rows.Select(ToResult).ToList()));
    }

    private static ExecutionResult ToResult(BenchmarkExecution e)
    {
        using var metrics = JsonDocument.Parse(e.Metrics);
        return new ExecutionResult(
            e.ExecutionId, e.RunId, e.AgentId, e.AgentName, e.AgentVersion, e.SuiteId, e.SuiteCategory,
            e.BenchmarkId, e.BenchmarkName, e.BenchmarkCategory,
            e.AccuracyScore, e.SpeedScore, e.EfficiencyScore, e.CostScore, e.ReliabilityScore, e.OverallScore,
            e.ExecutionTimeMs, e.TokensUsed, e.ApiCallsMade, e.CostUsd, e.Status, e.ErrorMessage,
            metrics.RootElement.Clone(), e.WarmupRuns, e.Iterations, e.TerminatedEarly, e.WorkerId,
            e.StartedAt, e.CompletedAt, e.CreatedAt);
    }
}
