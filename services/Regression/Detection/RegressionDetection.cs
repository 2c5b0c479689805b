using System.Text.Json;
using BenchMesh.Contracts.Regression;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Regression.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.Statistics.Engine;
using EngineVerdict = BenchMesh.Statistics.Engine.Verdict;

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
    double QValue,
    string DecisionLevel = RegressionDecisionLevels.Monitor);

/// <summary>
/// The engine's verdict on one benchmark × metric of a version: <c>regressed</c>, <c>improved</c>, <c>no_change</c> or
/// <c>inconclusive</c> (with the minimum detectable effect and, where more runs would settle it, how many), and the
/// budget it answers to (<c>one_shot</c> or <c>monitor</c>); <see cref="Confirmation"/> says where its interleaved
/// confirmation stands (null: none asked for, <c>pending</c>, <c>done</c>).
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
    string? Reason,
    string? Path = null,
    string DecisionLevel = RegressionDecisionLevels.Monitor,
    string? Confirmation = null);

/// <summary>One version of one benchmark: its executions' runs (measured passes) and item outcomes, pooled.</summary>
public sealed record VersionRuns(string Version, VersionResult Latest, IReadOnlyList<IterationMetrics> Passes, IReadOnlyDictionary<string, IReadOnlyList<double>> Items);

/// <summary>The verdict on one benchmark × metric, with what it was judged on.</summary>
public sealed record CellJudgement(Guid BenchmarkId, string BenchmarkName, MetricDefinition Metric, SeriesVerdict Verdict, IReadOnlyList<VersionRuns> Versions)
{
    public VersionRuns? Version(string version) => Versions.FirstOrDefault(v => v.Version == version);

    /// <summary>Versions in the series: 1 means there was nothing to compare with.</summary>
    public int VersionsJudged => Versions.Count;

    /// <summary>The metric's mean over versions <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), by version order.</summary>
    public double MeanOver(string from, string to)
    {
        var start = Versions.ToList().FindIndex(v => v.Version == from);
        var end = Versions.ToList().FindIndex(v => v.Version == to);
        var values = Versions.Skip(Math.Max(0, start)).Take(Math.Max(1, end - Math.Max(0, start))).SelectMany(v => RegressionJudge.Runs(v, Metric.Name)).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    /// <summary>The regression the engine raised at the series' last version, as reports show it; null unless regressed.</summary>
    public RegressionItem? Regression()
    {
        var version = Verdict.Version;
        if (Verdict.Verdict != EngineVerdict.Regressed || Verdict.Alerts.LastOrDefault(a => a.AtVersion == version) is not { } alert
            || this.Version(version) is not { } at)
        {
            return null;
        }

        return new RegressionItem(
            BenchmarkId, BenchmarkName, Metric.Name, RegressionJudge.DirectionName(Metric),
            Finite(MeanOver(alert.BaselineFromVersion, alert.BlamedVersion)),
            Finite(RegressionJudge.Runs(at, Metric.Name).DefaultIfEmpty(double.NaN).Average()),
            Math.Round(RegressionJudge.Worsening(Metric, alert.Effect), 4),
            SeriesJson.Name(alert.Severity),
            RegressionJudge.ImpactOf(Metric, alert, BenchmarkName),
            this.Version(alert.BaselineFromVersion)?.Latest.ExecutionId ?? Guid.Empty,
            at.Latest.ExecutionId,
            alert.BlamedVersion,
            SeriesJson.Name(alert.Path),
            alert.Effect,
            alert.PValue,
            alert.QValue,
            SeriesJson.Name(alert.DecisionLevel));
    }

    /// <summary>The verdict on the series' last version, as reports show it.</summary>
    public VerdictItem VerdictItem() => new(
        BenchmarkId, BenchmarkName, Metric.Name, SeriesJson.Name(Verdict.Verdict), Verdict.Effect, Verdict.PValue, Verdict.QValue,
        Verdict.MinimumDetectableEffect, Verdict.AdditionalRunsNeeded, Verdict.Reason, Regression()?.Path, SeriesJson.Name(Verdict.DecisionLevel));

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}

/// <summary>
/// Judges an agent's history with the regression engine (BenchMesh.Statistics): one series per benchmark × metric,
/// versions in the order they were first scored, each version's runs the measured passes of all its executions of
/// that benchmark (an execution stored without passes counts as one run of its aggregates), accuracy also item by item
/// (successes as 1, failures as 0) for the paired test. All the agent's cells are one family: Benjamini-Hochberg runs
/// across the benchmark × metric cells of each version comparison. A series the engine cannot judge is reported
/// inconclusive with the engine's reason, and the others are judged without it.
/// </summary>
public static class RegressionJudge
{
    public const string DetectorName = "benchmesh-engine";

    /// <summary>The family all of an agent's series belong to.</summary>
    private const string Family = "agent";

    /// <summary>The metrics judged, in the order they are reported.</summary>
    public static IReadOnlyList<string> Metrics => RegressionMetrics.Judged;

    /// <param name="suiteThresholds">
    /// Each suite's overrides of the practical thresholds (its <c>regression_thresholds</c>), applied on top of
    /// <paramref name="registry"/> to the benchmarks of that suite; null or missing: the registry's.
    /// </param>
    public static IReadOnlyList<CellJudgement> Judge(
        IReadOnlyList<VersionResult> executions, IReadOnlyList<string> versionOrder, MetricRegistry registry, RegressionEngine engine, ILogger? logger = null,
        IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, double>>? suiteThresholds = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return Judge(executions, versionOrder, registry, series => engine.Analyze(series), logger, suiteThresholds);
    }

    /// <summary>
    /// As above, with the analysis given as a function (the engine's <see cref="RegressionEngine.Analyze"/>), and
    /// optionally the pooling of one benchmark's executions of one version (oldest first) into its runs: by default
    /// <see cref="Pool"/>; the consumer's <c>AgentHistoryCache</c> gives the runs it pooled before when the executions are the same.
    /// </summary>
    public static IReadOnlyList<CellJudgement> Judge(
        IReadOnlyList<VersionResult> executions, IReadOnlyList<string> versionOrder, MetricRegistry registry,
        Func<IReadOnlyList<SeriesInput>, IReadOnlyList<SeriesVerdict>> analyze, ILogger? logger = null,
        IReadOnlyDictionary<Guid, IReadOnlyDictionary<string, double>>? suiteThresholds = null,
        Func<List<VersionResult>, VersionRuns>? pool = null)
    {
        ArgumentNullException.ThrowIfNull(executions);
        ArgumentNullException.ThrowIfNull(registry);
        pool ??= Pool;
        var cells = new List<(Guid BenchmarkId, string Name, MetricDefinition Metric, List<VersionRuns> Versions, SeriesInput Series)>();
        foreach (var benchmark in executions.GroupBy(e => e.BenchmarkId))
        {
            // Oldest first; executions scored at the same instant by id, so that the runs' order never depends on the read's.
            var byVersion = benchmark.OrderBy(e => e.ScoredAt).ThenBy(e => e.ExecutionId).ToLookup(e => e.AgentVersion, StringComparer.Ordinal);
            var versions = versionOrder
                .Where(byVersion.Contains)
                .Select(v => pool(byVersion[v].ToList()))
                .ToList();
            var latest = benchmark.OrderBy(e => e.ScoredAt).ThenBy(e => e.ExecutionId).Last();
            var name = latest.BenchmarkName;
            var cellRegistry = suiteThresholds is not null && suiteThresholds.TryGetValue(latest.SuiteId, out var overrides) && overrides.Count > 0
                ? registry.WithThresholds(overrides)
                : registry;
            foreach (var metricName in Metrics)
            {
                var metric = cellRegistry.Get(metricName);
                var samples = versions.Select(v => new VersionSample(
                    v.Version,
                    Runs(v, metricName).ToList(),
                    metricName == RegressionMetrics.Accuracy && v.Items.Count > 0 ? v.Items : null)).ToList();
                cells.Add((benchmark.Key, name, metric, versions, new SeriesInput($"{benchmark.Key:N}/{metricName}", Family, metric, samples)));
            }
        }

        var verdicts = AnalyzeSparingTheRest(analyze, cells.Select(c => c.Series).ToList(), logger);
        return cells.Select((c, i) => new CellJudgement(c.BenchmarkId, c.Name, c.Metric, verdicts[i], c.Versions)).ToList();
    }

    /// <summary>
    /// The engine's verdicts on the family; when it rejects the family, each series is tried alone to find the ones it
    /// cannot judge, which get an inconclusive verdict with the engine's reason, and the rest are judged together.
    /// </summary>
    private static IReadOnlyList<SeriesVerdict> AnalyzeSparingTheRest(
        Func<IReadOnlyList<SeriesInput>, IReadOnlyList<SeriesVerdict>> analyze, IReadOnlyList<SeriesInput> series, ILogger? logger)
    {
        try
        {
            return analyze(series);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException or IndexOutOfRangeException)
        {
            var failures = new Dictionary<int, string>();
            for (var i = 0; i < series.Count; i++)
            {
                try
                {
                    analyze([series[i] with { Family = null }]);
                }
                catch (Exception one) when (one is ArgumentException or InvalidOperationException or ArithmeticException or IndexOutOfRangeException)
                {
                    logger?.LogWarning(one, "Series {Series} cannot be judged; it is reported inconclusive", series[i].Id);
                    failures[i] = one.Message;
                }
            }

            var rest = Enumerable.Range(0, series.Count).Where(i => !failures.ContainsKey(i)).ToList();
            if (failures.Count == 0)
            {
                // Every series passes alone but not together: judge each on its own rather than not at all.
                logger?.LogWarning(e, "The family of {Count} series cannot be judged together; each is judged on its own", series.Count);
                return series.Select(s => analyze([s with { Family = null }])[0]).ToList();
            }

            var judged = rest.Count > 0 ? analyze(rest.Select(i => series[i]).ToList()) : [];
            var verdicts = new SeriesVerdict[series.Count];
            foreach (var (index, verdict) in rest.Zip(judged))
            {
                verdicts[index] = verdict;
            }

            foreach (var (index, reason) in failures)
            {
                verdicts[index] = new SeriesVerdict(series[index].Id, Verdict.Inconclusive, series[index].Versions[^1].Version, [], null, null, null, null, null,
                    $"not judged: {reason}");
            }

            return verdicts;
        }
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

    public static string DirectionName(MetricDefinition metric) =>
        metric.Direction == MetricDirection.HigherIsBetter ? RegressionMetrics.HigherIsBetter : RegressionMetrics.LowerIsBetter;

    /// <summary>An effect in the bad direction (positive = worse), in the effect's unit.</summary>
    public static double Worsening(MetricDefinition metric, EffectInterval effect) =>
        metric.Direction == MetricDirection.HigherIsBetter ? -effect.Estimate : effect.Estimate;

    /// <summary>One sentence a release manager can act on.</summary>
    public static string ImpactOf(MetricDefinition metric, Alert alert, string benchmark)
    {
        var e = alert.Effect;
        // One-shot alerts carry the 90 % interval whose bounds match their one-sided decision at 5 % (docs/regression.md).
        var level = Math.Round(alert.IntervalConfidence * 100);
        var change = metric.Scale == MetricScale.Log
            ? FormattableString.Invariant($"{e.Estimate:+0.#%;-0.#%} ({level} % interval {e.Lower:+0.#%;-0.#%} to {e.Upper:+0.#%;-0.#%})")
            : FormattableString.Invariant($"{e.Estimate * 100:+0.#;-0.#} points ({level} % interval {e.Lower * 100:+0.#;-0.#} to {e.Upper * 100:+0.#;-0.#})");
        var blame = alert.BlamedVersion == alert.AtVersion ? "" : $", first seen in {alert.BlamedVersion}";
        return FormattableString.Invariant($"{metric.Name} on {benchmark} moved {change} against the baseline since {alert.BaselineFromVersion}{blame} (p = {alert.PValue:G2}, q = {alert.QValue:G2}, {alert.CandidateRuns} vs {alert.BaselineRuns} {alert.CountUnit}).");
    }

    /// <summary>One benchmark's executions of one version (oldest first) pooled: their passes and item outcomes, in that order.</summary>
    public static VersionRuns Pool(List<VersionResult> executions) => Extend(null, executions);

    /// <summary>
    /// <paramref name="pooled"/> (the executions before, pooled; null: none) with <paramref name="executions"/> added after
    /// them: the same runs as <see cref="Pool"/> of all of them, parsing only the new ones' JSON.
    /// </summary>
    public static VersionRuns Extend(VersionRuns? pooled, List<VersionResult> executions)
    {
        var passes = new List<IterationMetrics>(pooled?.Passes ?? []);
        var items = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var (item, outcomes) in pooled?.Items ?? new Dictionary<string, IReadOnlyList<double>>())
        {
            items[item] = [.. outcomes];
        }

        foreach (var execution in executions)
        {
            var own = JsonSerializer.Deserialize<List<IterationMetrics>>(execution.PerIterationJson, ServiceDefaultsExtensions.PublicJson) ?? [];
            passes.AddRange(own.Count > 0
                ? own
                : [new IterationMetrics(1, execution.Accuracy, execution.MedianLatencyMs, execution.MeanCostPerTaskUsd, execution.MeanTokensPerTask, execution.ErrorRate)]);
            foreach (var (item, outcome) in JsonSerializer.Deserialize<Dictionary<string, int[]>>(execution.ItemOutcomesJson) ?? [])
            {
                if (ItemOutcomes.Expand(outcome) is not { } attempts)
                {
                    continue;
                }

                if (!items.TryGetValue(item, out var list))
                {
                    items[item] = list = [];
                }

                list.AddRange(attempts);
            }
        }

        return new VersionRuns(
            pooled?.Version ?? executions[0].AgentVersion,
            executions.Count > 0 ? executions[^1] : pooled!.Latest,
            passes,
            items.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value, StringComparer.Ordinal));
    }
}
