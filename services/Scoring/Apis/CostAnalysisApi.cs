using System.Globalization;
using BenchMesh.Catalog;
using BenchMesh.Scoring.CostAnalysis;
using BenchMesh.Scoring.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Scoring.Apis;

/// <summary>§8.1's cost-efficiency analysis of one agent (docs/cost-analysis.md defines every figure).</summary>
/// <param name="Window">Which executions were read: <c>latest_successful</c>, the latest successful one per configuration and benchmark.</param>
public sealed record CostAnalysisResponse(
    Guid AgentId,
    string? AgentName,
    Guid? SuiteId,
    long MonthlyTasks,
    string Window,
    ConfigurationDescriptor? CurrentConfiguration,
    IReadOnlyList<BenchmarkCostPerTask> CostPerTask,
    IReadOnlyList<BenchmarkPerformancePerDollar> PerformancePerDollar,
    IReadOnlyList<ConfigurationSummary> Configurations,
    IReadOnlyList<OptimalConfiguration> OptimalConfigurations,
    IReadOnlyList<CostOpportunity> CostOptimizationOpportunities);

/// <summary>Every agent configuration of a suite on the cost–performance plane, for the dashboard's scatter.</summary>
/// <param name="Benchmarks">The suite's benchmarks any configuration has a successful execution of (the comparison set).</param>
public sealed record CostFrontierResponse(Guid SuiteId, string Window, int Benchmarks, IReadOnlyList<FrontierEntry> Points);

public static class CostAnalysisApi
{
    /// <summary>The only window so far: the latest successful execution per configuration and benchmark, of all time.</summary>
    public const string Window = "latest_successful";

    public static IEndpointRouteBuilder MapCostAnalysisApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/agents/{agent_id}/cost-analysis", GetCostAnalysisAsync)
            .WithName("GetAgentCostAnalysis")
            .WithTags("Cost")
            .RequireCaller();
        app.MapGet("/benchmarks/cost-frontier", GetCostFrontierAsync)
            .WithName("GetCostFrontier")
            .WithTags("Cost")
            .RequireCaller();
        return app;
    }

    // Ids and numbers are taken as strings so that a malformed one is a 400 ValidationProblem with its field, like every other input.
    public static async Task<Results<Ok<CostAnalysisResponse>, ValidationProblem, ProblemHttpResult>> GetCostAnalysisAsync(
        [FromRoute(Name = "agent_id")] string agentId,
        [FromQuery(Name = "suite_id")] string? suiteId,
        [FromQuery(Name = "monthly_tasks")] string? monthlyTasks,
        Caller caller,
        ScoringDbContext db,
        ISuiteCatalog catalog,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!Guid.TryParse(agentId, out var agent))
        {
            errors.Add("agent_id", "must be a GUID.");
        }

        var suite = OptionalGuid(errors, "suite_id", suiteId);
        var volume = CostAnalysisThresholds.DefaultMonthlyTasks;
        if (!string.IsNullOrWhiteSpace(monthlyTasks)
            && (!long.TryParse(monthlyTasks, NumberStyles.None, CultureInfo.InvariantCulture, out volume)
                || volume < 1 || volume > CostAnalysisThresholds.MaxMonthlyTasks))
        {
            errors.Add("monthly_tasks", $"must be a whole number between 1 and {CostAnalysisThresholds.MaxMonthlyTasks:D}.");
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        // As for results: a new agent gets an empty analysis, an unknown or another workspace's one a 404.
        if (await db.AgentProblemAsync(catalog, caller, agent, ct) is { } problem)
        {
            return problem;
        }

        var latest = await CostExecutionQueries.LatestAsync(db, agent, suite, successfulOnly: false, visibleTo: null, ct);
        var paid = await CostExecutionQueries.PaidFailuresAsync(db, latest.Select(e => e.ExecutionId).ToList(), ct);
        var analysis = CostAnalyzer.Analyze(latest, paid, volume);
        return TypedResults.Ok(new CostAnalysisResponse(
            agent,
            latest.MaxBy(e => e.CreatedAt)?.AgentName,
            suite,
            volume,
            Window,
            analysis.CurrentConfiguration,
            analysis.CostPerTask,
            analysis.PerformancePerDollar,
            analysis.Configurations,
            analysis.OptimalConfigurations,
            analysis.CostOptimizationOpportunities));
    }

    /// <summary>
    /// The suite is required: cost per task and performance of different suites measure different work, so one scatter
    /// across suites would compare nothing.
    /// </summary>
    public static async Task<Results<Ok<CostFrontierResponse>, ValidationProblem>> GetCostFrontierAsync(
        [FromQuery(Name = "suite_id")] string? suiteId,
        Caller caller,
        ScoringDbContext db,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Required("suite_id", suiteId);
        var suite = errors.IsValid ? OptionalGuid(errors, "suite_id", suiteId) : null;
        if (!errors.IsValid || suite is not { } sid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        // The caller's workspace's agents only: a suite may be run by several workspaces.
        var latest = await CostExecutionQueries.LatestAsync(db, agentId: null, sid, successfulOnly: true, visibleTo: caller, ct);
        var points = CostAnalyzer.Frontier(latest);
        return TypedResults.Ok(new CostFrontierResponse(sid, Window, latest.Select(e => e.BenchmarkId).Distinct().Count(), points));
    }

    private static Guid? OptionalGuid(ValidationErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (Guid.TryParse(value, out var id))
        {
            return id;
        }

        errors.Add(field, "must be a GUID.");
        return null;
    }
}
