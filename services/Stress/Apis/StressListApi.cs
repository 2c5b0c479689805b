using BenchMesh.LoadEngine.Scenarios;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Stress.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Apis;

/// <summary>
/// The query of <c>GET /stress/runs</c>, every value as text so that a malformed one is a field error under its own name
/// (docs/api.md, "Stress").
/// </summary>
public sealed record StressRunListQuery(
    [property: FromQuery(Name = "agent_id")] string? AgentId,
    [property: FromQuery(Name = "scenario")] string? Scenario,
    [property: FromQuery(Name = "status")] string? Status,
    [property: FromQuery(Name = "since")] string? Since,
    [property: FromQuery(Name = "until")] string? Until,
    [property: FromQuery(Name = "limit")] string? Limit,
    [property: FromQuery(Name = "cursor")] string? Cursor);

/// <summary>A stress run as a list shows it; <c>status_url</c> is its full representation, result included.</summary>
public sealed record StressRunSummary(
    Guid StressRunId, Guid AgentId, string AgentName, string AgentVersion, string Scenario, string Status, int Workers,
    long RequestsCompleted, Guid? SuiteId, Guid? BenchmarkId, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string StatusUrl);

/// <summary>One page of stress runs, newest first; <c>next_cursor</c> asks for the next page, null on the last.</summary>
public sealed record StressRunList(IReadOnlyList<StressRunSummary> Runs, string? NextCursor);

/// <summary><c>GET /stress/runs</c>: the caller's workspace's stress runs, newest request first, filtered and paged by cursor.</summary>
public static class StressListApi
{
    /// <summary>The name this list's cursors are checked against (a cursor of another list is refused).</summary>
    public const string CursorList = "stress.runs";
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private static readonly string[] Statuses = [StressRunStatuses.Running, StressRunStatuses.Completed, StressRunStatuses.Failed];

    public static async Task<Results<Ok<StressRunList>, ValidationProblem>> ListAsync(
        [AsParameters] StressRunListQuery query, Caller caller, StressDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        Guid? agentId = null;
        if (query.AgentId is not null)
        {
            if (Guid.TryParse(query.AgentId, out var id))
            {
                agentId = id;
            }
            else
            {
                errors.Add("agent_id", "must be a UUID.");
            }
        }

        if (query.Scenario is not null && !ScenarioPresets.All.ContainsKey(query.Scenario))
        {
            errors.Add("scenario", $"must be one of {string.Join(", ", ScenarioPresets.All.Keys)}.");
        }

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

        var runs = db.StressRuns.AsNoTracking().Where(r => r.WorkspaceId == caller.WorkspaceId);
        if (agentId is { } agent)
        {
            runs = runs.Where(r => r.AgentId == agent);
        }

        if (query.Scenario is { } scenario)
        {
            runs = runs.Where(r => r.Scenario == scenario);
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

        var (items, next) = await runs.ToKeysetPageAsync(page, r => r.CreatedAt, r => r.StressRunId,
            r => new StressRunSummary(
                r.StressRunId, r.AgentId, r.AgentName, r.AgentVersion, r.Scenario, r.Status, r.Workers, r.RequestsCompleted,
                r.SuiteId, r.BenchmarkId, r.Error, r.CreatedAt, r.StartedAt, r.CompletedAt, "/stress/runs/" + r.StressRunId),
            r => KeysetCursor.After(r.CreatedAt, r.StressRunId), ct);
        return TypedResults.Ok(new StressRunList(items, next));
    }
}
