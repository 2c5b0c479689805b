using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Scoring.Data;
using BenchMesh.Scoring.Scoring;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Scoring.Apis;

/// <summary>
/// An execution as the public API shows it: every <c>benchmark_executions</c> column under its name. The names clients
/// read before the specification's columns stay beside them (<c>execution_id</c> = <c>id</c>, <c>started_at</c> =
/// <c>start_time</c>, <c>completed_at</c> = <c>end_time</c>, <c>execution_time_ms</c> = <c>total_duration_ms</c>,
/// <c>error_message</c> = <c>error_details</c>), and <c>completion_status</c> keeps the former reading of
/// <c>status</c> (completed | failed, as in the ExecutionScored event).
/// </summary>
public sealed record ExecutionResult
{
    public Guid Id { get; init; }
    public Guid ExecutionId { get; init; }
    public Guid RunId { get; init; }
    public Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public required string AgentVersion { get; init; }
    public string? WorkspaceId { get; init; }
    public Guid SuiteId { get; init; }
    public required string SuiteCategory { get; init; }
    public Guid BenchmarkId { get; init; }
    public required string BenchmarkName { get; init; }
    public required string BenchmarkCategory { get; init; }
    public JsonElement? ExecutionEnvironment { get; init; }
    public JsonElement? ModelConfiguration { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public DateTimeOffset EndTime { get; init; }
    public long TotalDurationMs { get; init; }
    public double AccuracyScore { get; init; }
    public double SpeedScore { get; init; }
    public double EfficiencyScore { get; init; }
    public double CostScore { get; init; }
    public double ReliabilityScore { get; init; }
    public double OverallScore { get; init; }
    public long TokensUsed { get; init; }
    public int ApiCallsMade { get; init; }
    public double? MemoryPeakMb { get; init; }
    public double? CpuUsagePercent { get; init; }
    public double? OutputCorrectness { get; init; }
    public double? OutputCompleteness { get; init; }
    public double? OutputRelevance { get; init; }
    public double? PercentileRank { get; init; }
    public double? DeviationFromBaseline { get; init; }

    /// <summary>success | terminated | failed.</summary>
    public required string Status { get; init; }

    /// <summary>completed | failed: the reading of <c>status</c> before the specification's values.</summary>
    public required string CompletionStatus { get; init; }
    public string? ErrorDetails { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    // BenchMesh's columns.
    public decimal CostUsd { get; init; }
    public JsonElement Metrics { get; init; }
    public int WarmupRuns { get; init; }
    public int Iterations { get; init; }
    public int Concurrency { get; init; }
    public DateTimeOffset? RequestedAt { get; init; }
    public bool TerminatedEarly { get; init; }
    public string? TerminationReason { get; init; }
    public double? TerminationAtMs { get; init; }
    public int? TerminationAfterCalls { get; init; }
    public string? TerminationDetail { get; init; }
    public int? WarmupCalls { get; init; }
    public long? WarmupInputTokens { get; init; }
    public long? WarmupOutputTokens { get; init; }
    public decimal? WarmupCostUsd { get; init; }
    public double? WarmupDurationMs { get; init; }
    public int JudgeCalls { get; init; }
    public int JudgeUngradable { get; init; }
    public long JudgeInputTokens { get; init; }
    public long JudgeOutputTokens { get; init; }
    public decimal JudgeCostUsd { get; init; }
    public double JudgeDurationMs { get; init; }
    public double? ScoringMs { get; init; }
    public double? PersistenceMs { get; init; }
    public int MessageSchemaVersion { get; init; }
    public required string WorkerId { get; init; }

    // The names before the specification's columns.
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset CompletedAt { get; init; }
    public long ExecutionTimeMs { get; init; }
    public string? ErrorMessage { get; init; }

    public static ExecutionResult From(BenchmarkExecution e) => new()
    {
        Id = e.ExecutionId,
        ExecutionId = e.ExecutionId,
        RunId = e.RunId,
        AgentId = e.AgentId,
        AgentName = e.AgentName,
        AgentVersion = e.AgentVersion,
        WorkspaceId = e.WorkspaceId,
        SuiteId = e.SuiteId,
        SuiteCategory = e.SuiteCategory,
        BenchmarkId = e.BenchmarkId,
        BenchmarkName = e.BenchmarkName,
        BenchmarkCategory = e.BenchmarkCategory,
        ExecutionEnvironment = Json(e.ExecutionEnvironment),
        ModelConfiguration = Json(e.ModelConfiguration),
        StartTime = e.StartTime,
        EndTime = e.EndTime,
        TotalDurationMs = e.TotalDurationMs,
        AccuracyScore = e.AccuracyScore,
        SpeedScore = e.SpeedScore,
        EfficiencyScore = e.EfficiencyScore,
        CostScore = e.CostScore,
        ReliabilityScore = e.ReliabilityScore,
        OverallScore = e.OverallScore,
        TokensUsed = e.TokensUsed,
        ApiCallsMade = e.ApiCallsMade,
        MemoryPeakMb = e.MemoryPeakMb,
        CpuUsagePercent = e.CpuUsagePercent,
        OutputCorrectness = e.OutputCorrectness,
        OutputCompleteness = e.OutputCompleteness,
        OutputRelevance = e.OutputRelevance,
        PercentileRank = e.PercentileRank,
        DeviationFromBaseline = e.DeviationFromBaseline,
        Status = e.Status,
        CompletionStatus = BenchmarkExecutionStatuses.ForEvent(e.Status),
        ErrorDetails = e.ErrorDetails,
        CreatedAt = e.CreatedAt,
        CostUsd = e.CostUsd,
        Metrics = Json(e.Metrics) ?? default,
        WarmupRuns = e.WarmupRuns,
        Iterations = e.Iterations,
        Concurrency = e.Concurrency,
        RequestedAt = e.RequestedAt,
        TerminatedEarly = e.TerminatedEarly,
        TerminationReason = e.TerminationReason,
        TerminationAtMs = e.TerminationAtMs,
        TerminationAfterCalls = e.TerminationAfterCalls,
        TerminationDetail = e.TerminationDetail,
        WarmupCalls = e.WarmupCalls,
        WarmupInputTokens = e.WarmupInputTokens,
        WarmupOutputTokens = e.WarmupOutputTokens,
        WarmupCostUsd = e.WarmupCostUsd,
        WarmupDurationMs = e.WarmupDurationMs,
        JudgeCalls = e.JudgeCalls,
        JudgeUngradable = e.JudgeUngradable,
        JudgeInputTokens = e.JudgeInputTokens,
        JudgeOutputTokens = e.JudgeOutputTokens,
        JudgeCostUsd = e.JudgeCostUsd,
        JudgeDurationMs = e.JudgeDurationMs,
        ScoringMs = e.ScoringMs,
        PersistenceMs = e.PersistenceMs,
        MessageSchemaVersion = e.MessageSchemaVersion,
        WorkerId = e.WorkerId,
        StartedAt = e.StartTime,
        CompletedAt = e.EndTime,
        ExecutionTimeMs = e.TotalDurationMs,
        ErrorMessage = e.ErrorDetails,
    };

    private static JsonElement? Json(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>
/// The results of an agent; <c>next_cursor</c> asks for the next page of an <c>all</c> or <c>30d</c> answer, and is null
/// on the last page and for <c>latest</c>, which is not paged.
/// </summary>
public sealed record AgentResultsResponse(Guid AgentId, string Timeframe, Guid? SuiteId, IReadOnlyList<ExecutionResult> Results, string? NextCursor);

public static class ResultsApi
{
    /// <summary>The timeframes of <c>GET /benchmarks/agents/{agent_id}/results</c>.</summary>
    public static readonly IReadOnlyList<string> Timeframes = ["latest", "all", "30d"];

    /// <summary>The name the cursors of <c>all</c> and <c>30d</c> answers are checked against.</summary>
    public const string CursorList = "scoring.results";
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/agents/{agent_id}/results", GetAgentResultsAsync)
            .WithName("GetAgentResults")
            .WithTags("Results")
            .RequireCaller();
        return app;
    }

    // The ids are taken as strings so that a malformed one is a 400 ValidationProblem with its field, like every other input.
    public static async Task<Results<Ok<AgentResultsResponse>, ValidationProblem, ProblemHttpResult>> GetAgentResultsAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "agent_id")] string agentId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "suite_id")] string? suiteId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "timeframe")] string? timeframe,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "limit")] string? limit,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "cursor")] string? cursor,
        Caller caller,
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

        // latest is one execution per benchmark and version, a bounded answer that is not paged: a page size or cursor
        // there is refused rather than ignored, so that a client never takes a partial answer for a whole one.
        var page = KeysetPage.Read(errors, CursorList, limit, cursor, DefaultLimit, MaxLimit);
        if (frame == "latest")
        {
            foreach (var (field, value) in new[] { ("limit", limit), ("cursor", cursor) })
            {
                if (value is not null)
                {
                    errors.Add(field, "applies to timeframe all and 30d; latest is not paged.");
                }
            }
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        // An agent registered a moment ago has no result (200, empty); an id Suites never issued, or another
        // workspace's agent, is a 404.
        if (await db.AgentProblemAsync(catalog, caller, agent, ct) is { } problem)
        {
            return problem;
        }

        var query = db.BenchmarkExecutions.AsNoTracking().Where(e => e.AgentId == agent);
        if (suite is { } sid)
        {
            query = query.Where(e => e.SuiteId == sid);
        }

        if (frame == "30d")
        {
            var since = clock.GetUtcNow().AddDays(-30);
            query = query.Where(e => e.CreatedAt >= since);
        }

        List<BenchmarkExecution> rows;
        if (frame == "latest")
        {
            rows = await query.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.ExecutionId).ToListAsync(ct);
        }
        else
        {
            if (page.After is { } after)
            {
                // A row-value comparison, (created_at, id) < (t, id): the keyset order's own, which the agent's index serves.
                query = query.Where(e => EF.Functions.LessThan(
                    ValueTuple.Create(e.CreatedAt, e.ExecutionId), ValueTuple.Create(after.Timestamp, after.Id)));
            }

            rows = await query.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.ExecutionId).Take(page.Limit + 1).ToListAsync(ct);
        }

        if (frame == "latest")
        {
            // The most recent execution per benchmark and version.
            rows = rows.GroupBy(e => (e.BenchmarkId, e.AgentVersion)).Select(g => g.First()).ToList();
            return TypedResults.Ok(new AgentResultsResponse(agent, frame, suite, rows.Select(ExecutionResult.From).ToList(), null));
        }

        var (items, next) = page.Slice(rows, e => KeysetCursor.After(e.CreatedAt, e.ExecutionId));
        return TypedResults.Ok(new AgentResultsResponse(agent, frame, suite, items.Select(ExecutionResult.From).ToList(), next));
    }
}
