using BenchMesh.Persistence;
using BenchMesh.Runner.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Apis;

/// <summary>
/// The query of <c>GET /benchmarks/runs</c>, every value as text so that a malformed one is a field error under its own
/// name (docs/api.md, "Listing runs").
/// </summary>
public sealed record RunListQuery(
    [property: FromQuery(Name = "agent_id")] string? AgentId,
    [property: FromQuery(Name = "suite_id")] string? SuiteId,
    [property: FromQuery(Name = "status")] string? Status,
    [property: FromQuery(Name = "since")] string? Since,
    [property: FromQuery(Name = "until")] string? Until,
    [property: FromQuery(Name = "limit")] string? Limit,
    [property: FromQuery(Name = "cursor")] string? Cursor);

/// <summary>How far a listed run is: its benchmarks in all, those finished (completed or failed), and those failed.</summary>
public sealed record RunSummaryProgress(int TotalBenchmarks, int CompletedBenchmarks, int FailedBenchmarks);

/// <summary>A run as a list shows it; <c>status_url</c> is the run's full representation.</summary>
public sealed record RunSummary(
    Guid RunId, Guid AgentId, string AgentName, string AgentVersion, Guid SuiteId, string Status, RunSummaryProgress Progress,
    double? OverallScore, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string StatusUrl);

/// <summary>One page of runs, newest first; <c>next_cursor</c> asks for the next page, null on the last.</summary>
public sealed record RunList(IReadOnlyList<RunSummary> Runs, string? NextCursor);

/// <summary><c>GET /benchmarks/runs</c>: the caller's workspace's runs, newest request first, filtered and paged by cursor.</summary>
public static class RunListApi
{
    /// <summary>The name this list's cursors are checked against (a cursor of another list is refused).</summary>
    public const string CursorList = "runner.runs";
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private static readonly string[] Statuses = [RunStatuses.Queued, RunStatuses.Running, RunStatuses.Completed, RunStatuses.Failed];

    public static async Task<Results<Ok<RunList>, ValidationProblem>> ListRunsAsync(
        [AsParameters] RunListQuery query, Caller caller, RunnerDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var agentId = ReadId(errors, "agent_id", query.AgentId);
        var suiteId = ReadId(errors, "suite_id", query.SuiteId);
        var status = query.Status?.Trim().ToLowerInvariant();
        if (status is not null && !Statuses.Contains(status))
        {
            errors.Add("status", $"must be one of {string.Join(", ", Statuses)}.");
        }

        var range = TimeRange.Read(errors, query.Since, query.Until);
        var page = KeysetPage.Read(errors, CursorList, query.Limit, query.Cursor, DefaultLimit, MaxLimit);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var runs = db.Runs.AsNoTracking().Where(r => r.WorkspaceId == caller.WorkspaceId);
        if (agentId is { } agent)
        {
            runs = runs.Where(r => r.AgentId == agent);
        }

        if (suiteId is { } suite)
        {
            runs = runs.Where(r => r.SuiteId == suite);
        }

        if (status is not null)
        {
            runs = runs.Where(r => r.Status == status);
        }

        if (range.Since is { } since)
        {
            runs = runs.Where(r => r.CreatedAt >= since);
        }

        if (range.Until is { } until)
        {
            runs = runs.Where(r => r.CreatedAt < until);
        }

        var (items, next) = await runs.ToKeysetPageAsync(page, r => r.CreatedAt, r => r.RunId,
            r => new RunSummary(
                r.RunId, r.AgentId, r.AgentName, r.AgentVersion, r.SuiteId, r.Status,
                new RunSummaryProgress(r.TotalBenchmarks, r.CompletedBenchmarks, r.Benchmarks.Count(b => b.Status == RunStatuses.Failed)),
                r.OverallScore, r.CreatedAt, r.StartedAt, r.CompletedAt, "/benchmarks/runs/" + r.RunId),
            r => KeysetCursor.After(r.CreatedAt, r.RunId), ct);
        return TypedResults.Ok(new RunList(items, next));
    }

    private static Guid? ReadId(ValidationErrors errors, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!Guid.TryParse(value, out var id))
        {
            errors.Add(field, "must be a GUID.");
            return null;
        }

        return id;
    }
}
