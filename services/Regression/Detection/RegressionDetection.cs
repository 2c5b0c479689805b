using System.Text.Json;
using BenchMesh.Contracts.Regression;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Regression.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.Statistics.Engine;

namespace BenchMesh.Regression.Detection;

public static class Severities
{
    public const string Minor = "minor";
    public const string Major = "major";
    public const string Critical = "critical";
}

public static class OverallHealth
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Critical = "critical";
}

public static class RecommendedActions
{
    public const string None = "none";
    public const string Investigate = "investigate";
    public const string BlockRelease = "block_release";
}

/// <summary>The overall verdict on a version from its regressed cells (metric, severity).</summary>
public sealed record HealthAssessment(string OverallHealth, string RecommendedAction)
{
    public static HealthAssessment Of(IReadOnlyCollection<(string Metric, string Severity)> regressions)
    {
        if (regressions.Count == 0)
        {
            return new(Detection.OverallHealth.Healthy, RecommendedActions.None);
        }

        var anyCritical = regressions.Any(r => r.Severity == Severities.Critical);
        // A release that answers worse is not shipped, even when its other numbers look fine.
        var majorAccuracy = regressions.Any(r => r.Metric == RegressionMetrics.Accuracy && r.Severity == Severities.Major);
        return new(
            anyCritical ? Detection.OverallHealth.Critical : Detection.OverallHealth.Degraded,
            anyCritical || majorAccuracy ? RecommendedActions.BlockRelease : RecommendedActions.Investigate);
    }
}

/// <summary>One version of one benchmark: its executions' runs (measured passes) and item outcomes, pooled.</summary>
public sealed record VersionRuns(string Version, VersionResult Latest, IReadOnlyList<IterationMetrics> Passes, IReadOnlyDictionary<string, IReadOnlyList<double>> Items);

/// <summary>The verdict on one benchmark × metric, with what it was judged on.</summary>
public sealed record CellJudgement(Guid BenchmarkId, string BenchmarkName, MetricDefinition Metric, SeriesVerdict Verdict, IReadOnlyList<VersionRuns> Versions)
{
    public VersionRuns? Version(string version) => Versions.FirstOrDefault(v => v.Version == version);

    /// <summary>The metric's mean over versions <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), by version order.</summary>
    public double MeanOver(string from, string to)
    {
        var start = Versions.ToList().FindIndex(v => v.Version == from);
        var end = Versions.ToList().FindIndex(v => v.Version == to);
        var values = Versions.Skip(Math.Max(0, start)).Take(Math.Max(1, end - Math.Max(0, start))).SelectMany(v => RegressionJudge.Runs(v, Metric.Name)).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }
}

/// <summary>
/// Judges an agent's history with the regression engine (BenchMesh.Statistics): one series per benchmark × metric,
/// versions in the order they were first scored, each version's runs the measured passes of all its executions of
/// that benchmark (an execution stored without passes counts as one run of its aggregates), accuracy also item by item
/// (successes as 1, failures as 0) for the paired test. All the agent's cells are one family: Benjamini-Hochberg runs
/// across the benchmark × metric cells of each version comparison.
/// </summary>
public static class RegressionJudge
{
    public const string DetectorName = "benchmesh-engine";

    /// <summary>The metrics judged, in the order they are reported.</summary>
    public static readonly string[] Metrics =
    [
        RegressionMetrics.Accuracy, RegressionMetrics.LatencyMs, RegressionMetrics.CostPerTaskUsd, RegressionMetrics.TokensPerTask, RegressionMetrics.ErrorRate,
    ];

    public static IReadOnlyList<CellJudgement> Judge(IReadOnlyList<VersionResult> executions, IReadOnlyList<string> versionOrder, MetricRegistry registry, RegressionEngine engine)
    {
        ArgumentNullException.ThrowIfNull(executions);
        var cells = new List<(Guid BenchmarkId, string Name, MetricDefinition Metric, List<VersionRuns> Versions, SeriesInput Series)>();
        foreach (var benchmark in executions.GroupBy(e => e.BenchmarkId))
        {
            var versions = versionOrder
                .Select(v => benchmark.Where(e => e.AgentVersion == v).OrderBy(e => e.ScoredAt).ToList())
                .Where(list => list.Count > 0)
                .Select(Pool)
                .ToList();
            var name = benchmark.OrderBy(e => e.ScoredAt).Last().BenchmarkName;
            foreach (var metricName in Metrics)
            {
                var metric = registry.Get(metricName);
                var samples = versions.Select(v => new VersionSample(
                    v.Version,
                    Runs(v, metricName).ToList(),
                    metricName == RegressionMetrics.Accuracy && v.Items.Count > 0 ? v.Items : null)).ToList();
                cells.Add((benchmark.Key, name, metric, versions, new SeriesInput($"{benchmark.Key:N}/{metricName}", "agent", metric, samples)));
            }
        }

        var verdicts = engine.Analyze(cells.Select(c => c.Series).ToList());
        return cells.Select((c, i) => new CellJudgement(c.BenchmarkId, c.Name, c.Metric, verdicts[i], c.Versions)).ToList();
    }

    /// <summary>The runs of one version for a metric: one value per measured pass.</summary>
    public static IEnumerable<double> Runs(VersionRuns version, string metric) => version.Passes.Select(p => metric switch
    {
        RegressionMetrics.Accuracy => p.Accuracy,
        RegressionMetrics.LatencyMs => p.MedianLatencyMs,
        RegressionMetrics.CostPerTaskUsd => p.MeanCostPerTaskUsd,
        RegressionMetrics.TokensPerTask => p.MeanTokensPerTask,
        _ => p.ErrorRate,
    });

    private static VersionRuns Pool(List<VersionResult> executions)
    {
        var passes = new List<IterationMetrics>();
        var items = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var execution in executions)
        {
            var own = JsonSerializer.Deserialize<List<IterationMetrics>>(execution.PerIterationJson, ServiceDefaultsExtensions.PublicJson) ?? [];
            passes.AddRange(own.Count > 0
                ? own
                : [new IterationMetrics(1, execution.Accuracy, execution.MedianLatencyMs, execution.MeanCostPerTaskUsd, execution.MeanTokensPerTask, execution.ErrorRate)]);
            foreach (var (item, outcome) in JsonSerializer.Deserialize<Dictionary<string, int[]>>(execution.ItemOutcomesJson) ?? [])
            {
                if (outcome is not [var successes, var attempts] || attempts <= 0 || successes < 0 || successes > attempts)
                {
                    continue;
                }

                if (!items.TryGetValue(item, out var list))
                {
                    items[item] = list = [];
                }

                list.AddRange(Enumerable.Repeat(1.0, successes).Concat(Enumerable.Repeat(0.0, attempts - successes)));
            }
        }

        return new VersionRuns(
            executions[0].AgentVersion,
            executions[^1],
            passes,
            items.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value, StringComparer.Ordinal));
    }
}
