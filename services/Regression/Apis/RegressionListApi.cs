using BenchMesh.Contracts.Regression;
using BenchMesh.Persistence;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Regression.Apis;

/// <summary>
/// The query of <c>GET /benchmarks/regressions</c>, every value as text so that a malformed one is a field error under
/// its own name (docs/api.md, "Listing regressions").
/// </summary>
public sealed record RegressionListQuery(
    [property: FromQuery(Name = "severity")] string? Severity,
    [property: FromQuery(Name = "metric")] string? Metric,
    [property: FromQuery(Name = "agent_id")] string? AgentId,
    [property: FromQuery(Name = "since")] string? Since,
    [property: FromQuery(Name = "limit")] string? Limit,
    [property: FromQuery(Name = "cursor")] string? Cursor);

/// <summary>A raised regression as the alert list shows it (the fields of its RegressionDetected event).</summary>
public sealed record RegressionAlert(
    Guid RegressionId,
    Guid AgentId,
    string AgentName,
    string WorkspaceId,
    Guid SuiteId,
    Guid BenchmarkId,
    string BenchmarkName,
    string CandidateVersion,
    string BaselineVersion,
    string BlamedVersion,
    string Metric,
    string Direction,
    double BaselineValue,
    double CurrentValue,
    double RegressionPercentage,
    double Threshold,
    string Severity,
    string Path,
    string ImpactAnalysis,
    Guid ExecutionId,
    Guid RunId,
    DateTimeOffset DetectedAt);

/// <summary>One page of regressions, newest first; <c>next_cursor</c> asks for the next page, null on the last.</summary>
public sealed record RegressionList(IReadOnlyList<RegressionAlert> Regressions, string? NextCursor);

/// <summary><c>GET /benchmarks/regressions</c>: the dashboard's alert view over the caller's workspace.</summary>
public static class RegressionListApi
{
    /// <summary>The name this list's cursors are checked against (a cursor of another list is refused).</summary>
    public const string CursorList = "regression.regressions";
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>The severities the engine raises, least severe first.</summary>
    public static readonly IReadOnlyList<string> SeverityValues = [Severities.Minor, Severities.Major, Severities.Critical];

    public static async Task<Results<Ok<RegressionList>, ValidationProblem>> ListRegressionsAsync(
        [AsParameters] RegressionListQuery query, Caller caller, RegressionDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var severity = query.Severity?.Trim().ToLowerInvariant();
        if (severity is not null && !SeverityValues.Contains(severity))
        {
            errors.Add("severity", $"must be one of {string.Join(", ", SeverityValues)}.");
        }

        var metric = query.Metric?.Trim().ToLowerInvariant();
        if (metric is not null && !RegressionMetrics.Judged.Contains(metric))
        {
            errors.Add("metric", $"must be one of {string.Join(", ", RegressionMetrics.Judged)}.");
        }

        Guid? agentId = null;
        if (query.AgentId is not null)
        {
            if (Guid.TryParse(query.AgentId, out var id))
            {
                agentId = id;
            }
            else
            {
                errors.Add("agent_id", "must be a GUID.");
            }
        }

        var range = TimeRange.Read(errors, query.Since, until: null);
        var page = KeysetPage.Read(errors, CursorList, query.Limit, query.Cursor, DefaultLimit, MaxLimit);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        // The workspace is the first filter, always: another workspace's agent_id simply matches nothing.
        var regressions = db.Regressions.AsNoTracking().Where(r => r.WorkspaceId == caller.WorkspaceId);
        if (severity is not null)
        {
            regressions = regressions.Where(r => r.Severity == severity);
        }

        if (metric is not null)
        {
            regressions = regressions.Where(r => r.Metric == metric);
        }

        if (agentId is { } agent)
        {
            regressions = regressions.Where(r => r.AgentId == agent);
        }

        if (range.Since is { } since)
        {
            regressions = regressions.Where(r => r.DetectedAt >= since);
        }

        var (items, next) = await regressions.ToKeysetPageAsync(page, r => r.DetectedAt, r => r.RegressionId,
            r => new RegressionAlert(
                r.RegressionId, r.AgentId, r.AgentName, r.WorkspaceId, r.SuiteId, r.BenchmarkId, r.BenchmarkName,
                r.CandidateVersion, r.BaselineVersion, r.BlamedVersion, r.Metric, r.Direction, r.BaselineValue, r.CurrentValue,
                r.RegressionPercentage, r.Threshold, r.Severity, r.Path, r.ImpactAnalysis, r.ExecutionId, r.RunId, r.DetectedAt),
            r => KeysetCursor.After(r.DetectedAt, r.RegressionId), ct);
        return TypedResults.Ok(new RegressionList(items, next));
    }
}
