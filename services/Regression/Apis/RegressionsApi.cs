using System.Globalization;
using BenchMesh.Catalog;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Regression.Apis;

/// <summary>One regressed metric of one benchmark (the seed's shape, plus ids to find the executions).</summary>
public sealed record RegressionItem(
    Guid BenchmarkId,
    string BenchmarkName,
    string Metric,
    string Direction,
    double BaselineValue,
    double CurrentValue,
    double RegressionPercentage,
    string Severity,
    string ImpactAnalysis,
    Guid BaselineExecutionId,
    Guid CurrentExecutionId);

public sealed record RegressionReport(
    Guid AgentId,
    string? CurrentVersion,
    string? BaselineVersion,
    double Threshold,
    bool HasRegressions,
    IReadOnlyList<RegressionItem> Regressions,
    string OverallHealth,
    string RecommendedAction,
    int BenchmarksCompared,
    string? Note);

public static class RegressionsApi
{
    public static IEndpointRouteBuilder MapRegressionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/agents/{agent_id:guid}/regressions", GetRegressionsAsync)
            .WithName("GetAgentRegressions")
            .WithTags("Regressions")
            .WithSummary("The agent's latest version compared with a baseline version, benchmark by benchmark.");
        return app;
    }

    // threshold is bound as text so that "abc" gets the same field error as "-1" instead of a bare 400.
    public static async Task<Results<Ok<RegressionReport>, ValidationProblem, ProblemHttpResult>> GetRegressionsAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "agent_id")] Guid agentId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "baseline_version")] string? baselineVersion,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "threshold")] string? threshold,
        RegressionDbContext db,
        IRegressionDetector detector,
        ISuiteCatalog catalog,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var t = DetectionOptions.DefaultThreshold;
        if (!string.IsNullOrWhiteSpace(threshold)
            && (!double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out t) || !DetectionOptions.IsValidThreshold(t)))
        {
            errors.Add("threshold", "must be a number greater than 0 and at most 10 (0.1 = 10 %).");
        }

        if (baselineVersion is not null && string.IsNullOrWhiteSpace(baselineVersion))
        {
            errors.Add("baseline_version", "must not be empty.");
        }

        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var versions = await db.VersionsOfAsync(agentId, ct);
        // Nothing scored for this agent: a registered agent not benchmarked yet, or an id Suites never issued (404).
        // Only then is Suites asked, so that its outage does not break reports on agents with data.
        if (versions.Count == 0 && await catalog.UnregisteredAgentProblemAsync(agentId, ct) is { } problem)
        {
            return problem;
        }

        if (baselineVersion is not null && versions.All(v => v.Version != baselineVersion))
        {
            return TypedResults.Problem(
                title: "Unknown baseline version.",
                detail: $"No execution of version '{baselineVersion}' of agent {agentId} has been scored.",
                statusCode: StatusCodes.Status404NotFound);
        }

        var current = versions.Count > 0 ? versions[^1].Version : null;
        if (baselineVersion is not null && baselineVersion == current)
        {
            errors.Add("baseline_version", $"'{baselineVersion}' is the current version; name an earlier one.");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        if (baselineVersion is null && versions.Count < 2)
        {
            return TypedResults.Ok(new RegressionReport(
                agentId, current, null, t, false, [], OverallHealth.Healthy, RecommendedActions.None, 0,
                versions.Count == 0
                    ? "No execution of this agent has been scored yet; there is nothing to compare."
                    : $"Only version '{current}' has been scored; a regression needs a second version to compare with."));
        }

        var baseline = baselineVersion ?? versions[^2].Version;
        var rows = await db.VersionResults.AsNoTracking()
            .Where(r => r.AgentId == agentId && (r.AgentVersion == current || r.AgentVersion == baseline))
            .ToListAsync(ct);
        var latestByBenchmark = rows
            .GroupBy(r => (r.AgentVersion, r.BenchmarkId))
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.ScoredAt)!);

        var options = new DetectionOptions { Threshold = t };
        var items = new List<RegressionItem>();
        var allVerdicts = new List<MetricVerdict>();
        var compared = 0;
        foreach (var ((version, benchmarkId), currentRow) in latestByBenchmark.Where(kv => kv.Key.AgentVersion == current).OrderBy(kv => kv.Value.BenchmarkName, StringComparer.Ordinal))
        {
            if (!latestByBenchmark.TryGetValue((baseline, benchmarkId), out var baselineRow))
            {
                continue; // a benchmark the baseline never ran has nothing to regress from
            }

            compared++;
            var verdicts = detector.Detect(baselineRow.ToSnapshot(), currentRow.ToSnapshot(), options);
            allVerdicts.AddRange(verdicts);
            items.AddRange(verdicts.Where(v => v.IsRegression).Select(v => new RegressionItem(
                benchmarkId, currentRow.BenchmarkName, v.Metric, v.Direction, v.BaselineValue, v.CurrentValue,
                Math.Round(v.Change ?? 0, 4), v.Severity!, v.ImpactAnalysis!, baselineRow.ExecutionId, currentRow.ExecutionId)));
        }

        var health = HealthAssessment.Of(allVerdicts);
        var note = compared == 0 ? $"Versions '{current}' and '{baseline}' have no benchmark in common." : null;
        return TypedResults.Ok(new RegressionReport(
            agentId, current, baseline, t, items.Count > 0, items, health.OverallHealth, health.RecommendedAction, compared, note));
    }
}
