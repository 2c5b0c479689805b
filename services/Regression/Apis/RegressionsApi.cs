using System.Globalization;
using BenchMesh.Catalog;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using BenchMesh.Contracts.Regression;
using BenchMesh.Regression.Consumers;
using BenchMesh.Statistics.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Regression.Apis;

/// <summary>One regressed metric of one benchmark (the seed's shape, plus ids to find the executions and the engine's evidence).</summary>
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
    Guid CurrentExecutionId,
    string BlamedVersion,
    string Path,
    EffectInterval Effect,
    double PValue,
    double QValue);

/// <summary>
/// The engine's verdict on one benchmark × metric of the current version: <c>regressed</c>, <c>improved</c>,
/// <c>no_change</c> or <c>inconclusive</c> (with the minimum detectable effect and the runs that would settle it).
/// </summary>
public sealed record VerdictItem(
    Guid BenchmarkId,
    string BenchmarkName,
    string Metric,
    string Verdict,
    EffectInterval? Effect,
    double? PValue,
    double? QValue,
    double? MinimumDetectableEffect,
    int? AdditionalRuns,
    string? Reason);

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
    string? Note,
    IReadOnlyList<VerdictItem> Verdicts);

public static class RegressionsApi
{
    public static IEndpointRouteBuilder MapRegressionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/agents/{agent_id:guid}/regressions", GetRegressionsAsync)
            .WithName("GetAgentRegressions")
            .WithTags("Regressions")
            .WithSummary("The agent's latest version judged against its history (or one baseline version), benchmark by benchmark and metric by metric.");
        return app;
    }

    // threshold is bound as text so that "abc" gets the same field error as "-1" instead of a bare 400.
    public static async Task<Results<Ok<RegressionReport>, ValidationProblem, ProblemHttpResult>> GetRegressionsAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "agent_id")] Guid agentId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "baseline_version")] string? baselineVersion,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "threshold")] string? threshold,
        RegressionDbContext db,
        ISuiteCatalog catalog,
        IOptions<RegressionOptions> options,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var registry = options.Value.Registry();
        double? t = null;
        if (!string.IsNullOrWhiteSpace(threshold))
        {
            if (double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 && parsed < 1)
            {
                t = parsed;
                registry = registry.WithThresholds(RegressionJudge.Metrics.ToDictionary(m => m, _ => parsed));
            }
            else
            {
                errors.Add("threshold", "must be a number greater than 0 and less than 1: relative on latency, cost and tokens (0.05 = 5 %), in points on accuracy and error rate (0.01 = 1 point).");
            }
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
        var thresholdShown = t ?? registry.Get(RegressionJudge.Metrics[1]).Threshold;
        if (baselineVersion is not null && baselineVersion == current)
        {
            errors.Add("baseline_version", $"'{baselineVersion}' is the current version; name an earlier one.");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        if (baselineVersion is null && versions.Count < 2)
        {
            return TypedResults.Ok(new RegressionReport(
                agentId, current, null, thresholdShown, false, [], OverallHealth.Healthy, RecommendedActions.None, 0,
                versions.Count == 0
                    ? "No execution of this agent has been scored yet; there is nothing to compare."
                    : $"Only version '{current}' has been scored; a regression needs a second version to compare with.",
                []));
        }

        // With a baseline version: that version and the current one only. Without: the whole history, judged online.
        var order = baselineVersion is null ? versions.Select(v => v.Version).ToList() : [baselineVersion, current!];
        var rows = await db.VersionResults.AsNoTracking()
            .Where(r => r.AgentId == agentId && order.Contains(r.AgentVersion))
            .ToListAsync(ct);
        var judged = RegressionJudge.Judge(rows, order, registry, new RegressionEngine())
            .Where(c => c.Version(current!) is not null && c.Versions.Count >= 2)
            .OrderBy(c => c.BenchmarkName, StringComparer.Ordinal)
            .ThenBy(c => Array.IndexOf(RegressionJudge.Metrics, c.Metric.Name))
            .ToList();

        var items = new List<RegressionItem>();
        foreach (var cell in judged.Where(c => c.Verdict.Verdict == Verdict.Regressed))
        {
            var alert = cell.Verdict.Alerts.Last(a => a.AtVersion == current);
            var at = cell.Version(current!)!;
            var baseline = cell.Version(alert.BaselineFromVersion);
            var worsening = cell.Metric.Direction == MetricDirection.HigherIsBetter ? -alert.Effect.Estimate : alert.Effect.Estimate;
            items.Add(new RegressionItem(
                cell.BenchmarkId, cell.BenchmarkName, cell.Metric.Name,
                cell.Metric.Direction == MetricDirection.HigherIsBetter ? RegressionMetrics.HigherIsBetter : RegressionMetrics.LowerIsBetter,
                Finite(cell.MeanOver(alert.BaselineFromVersion, alert.BlamedVersion)),
                Finite(RegressionJudge.Runs(at, cell.Metric.Name).DefaultIfEmpty(double.NaN).Average()),
                Math.Round(worsening, 4),
                SeriesJson.Name(alert.Severity),
                ExecutionScoredConsumer.ImpactOf(cell.Metric, alert, cell.BenchmarkName),
                baseline?.Latest.ExecutionId ?? Guid.Empty,
                at.Latest.ExecutionId,
                alert.BlamedVersion,
                SeriesJson.Name(alert.Path),
                alert.Effect,
                alert.PValue,
                alert.QValue));
        }

        var verdicts = judged.Select(c => new VerdictItem(
            c.BenchmarkId, c.BenchmarkName, c.Metric.Name, SeriesJson.Name(c.Verdict.Verdict), c.Verdict.Effect,
            c.Verdict.PValue, c.Verdict.QValue, c.Verdict.MinimumDetectableEffect, c.Verdict.AdditionalRunsNeeded, c.Verdict.Reason)).ToList();
        var health = HealthAssessment.Of(items.Select(i => (i.Metric, i.Severity)).ToList());
        var compared = judged.Select(c => c.BenchmarkId).Distinct().Count();
        var previous = baselineVersion ?? versions[^2].Version;
        var note = compared == 0 ? $"Version '{current}' has no benchmark in common with the versions before it." : null;
        return TypedResults.Ok(new RegressionReport(
            agentId, current, previous, thresholdShown, items.Count > 0, items, health.OverallHealth, health.RecommendedAction, compared, note, verdicts));
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}
