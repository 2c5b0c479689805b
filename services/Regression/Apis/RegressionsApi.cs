using System.Globalization;
using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using BenchMesh.Regression.Consumers;
using BenchMesh.Statistics.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Regression.Apis;

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
            .WithSummary("The agent's latest version judged against its history (or one baseline version), benchmark by benchmark and metric by metric.")
            .RequireCaller();
        app.MapGet("/benchmarks/regressions", RegressionListApi.ListRegressionsAsync)
            .WithName("ListRegressions")
            .WithTags("Regressions")
            .WithSummary("The regressions raised on the caller's workspace's agents, newest first, filtered and paged by cursor.")
            .RequireCaller();
        return app;
    }

    // threshold is bound as text so that "abc" gets the same field error as "-1" instead of a bare 400.
    public static async Task<Results<Ok<RegressionReport>, ValidationProblem, ProblemHttpResult>> GetRegressionsAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "agent_id")] Guid agentId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "baseline_version")] string? baselineVersion,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "threshold")] string? threshold,
        Caller caller,
        RegressionDbContext db,
        ISuiteCatalog catalog,
        SuiteThresholds suiteThresholds,
        IOptions<RegressionOptions> options,
        ILogger<RegressionReport> logger,
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

        // A registered agent not benchmarked yet gets an empty report; an id Suites never issued, or another
        // workspace's agent, a 404.
        if (await db.AgentProblemAsync(catalog, caller, agentId, ct) is { } problem)
        {
            return problem;
        }

        var versions = await db.VersionsOfAsync(agentId, ct);
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

        // By default, the verdicts kept when the agent's executions were judged (what its RegressionDetected events were
        // raised from); with a baseline version or a threshold, or for executions stored before verdicts were kept, the
        // history is judged now: with a baseline version, that version and the current one only.
        var kept = baselineVersion is null && t is null
            ? await db.Verdicts.AsNoTracking().Where(v => v.AgentId == agentId && v.AgentVersion == current).ToListAsync(ct)
            : [];
        List<(RegressionItem? Regression, VerdictItem Verdict)> cells;
        if (kept.Count > 0)
        {
            cells = kept.Where(v => v.VersionsJudged >= 2).Select(Kept).ToList();
        }
        else
        {
            var order = baselineVersion is null ? versions.Select(v => v.Version).ToList() : [baselineVersion, current!];
            var rows = await db.VersionResults.AsNoTracking()
                .Where(r => r.AgentId == agentId && order.Contains(r.AgentVersion))
                .ToListAsync(ct);
            // A threshold asked for in the query applies everywhere; otherwise each suite's own thresholds apply.
            IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, double>>? thresholds = null;
            if (t is null)
            {
                try
                {
                    thresholds = await suiteThresholds.OfAsync(rows.Select(r => r.SuiteId), ct);
                }
                catch (SuiteCatalogUnavailableException e)
                {
                    return CatalogProblems.Unavailable(e);
                }
            }

            cells = RegressionJudge.Judge(rows, order, registry, new RegressionEngine(), logger, thresholds)
                .Where(c => c.Verdict.Version == current && c.VersionsJudged >= 2)
                .Select(c => (c.Regression(), c.VerdictItem()))
                .ToList();
        }

        cells = cells
            .OrderBy(c => c.Verdict.BenchmarkName, StringComparer.Ordinal)
            .ThenBy(c => c.Verdict.BenchmarkId)
            .ThenBy(c => RegressionJudge.Metrics.ToList().IndexOf(c.Verdict.Metric))
            .ToList();
        var items = cells.Select(c => c.Regression).OfType<RegressionItem>().ToList();
        var verdicts = cells.Select(c => c.Verdict).ToList();
        var health = HealthAssessment.Of(items.Select(i => (i.Metric, i.Severity)).ToList());
        var compared = verdicts.Select(v => v.BenchmarkId).Distinct().Count();
        var previous = baselineVersion ?? versions[^2].Version;
        var note = compared == 0 ? $"Version '{current}' has no benchmark in common with the versions before it." : null;
        return TypedResults.Ok(new RegressionReport(
            agentId, current, previous, thresholdShown, items.Count > 0, items, health.OverallHealth, health.RecommendedAction, compared, note, verdicts));
    }

    /// <summary>A kept verdict as the report shows it, with its regression when it is one.</summary>
    private static (RegressionItem? Regression, VerdictItem Verdict) Kept(VerdictRecord v)
    {
        var regression = v.RegressionJson is null ? null : JsonSerializer.Deserialize<RegressionItem>(v.RegressionJson, ServiceDefaultsExtensions.PublicJson);
        var effect = v.EffectEstimate is { } estimate ? new EffectInterval(estimate, v.EffectLower ?? estimate, v.EffectUpper ?? estimate) : null;
        return (regression, new VerdictItem(
            v.BenchmarkId, v.BenchmarkName, v.Metric, v.Verdict, effect, v.PValue, v.QValue, v.MinimumDetectableEffect, v.AdditionalRuns, v.Reason, regression?.Path, v.DecisionLevel, v.Confirmation));
    }
}
