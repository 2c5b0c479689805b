using BenchMesh.Scoring.Scoring;

namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>
/// The cost-efficiency analysis of §8.1 (docs/cost-analysis.md). Pure: it reads the latest execution per configuration
/// and benchmark (successful ones and, apart, the latest other one) and computes everything from them.
/// </summary>
public static class CostAnalyzer
{
    /// <param name="latest">Per configuration and benchmark, the latest successful execution and the latest other one.</param>
    /// <param name="paidFailures">Per execution id, its failed calls that cost something (absent: none).</param>
    /// <param name="monthlyTasks">The monthly volume savings are estimated at.</param>
    public static AgentCostAnalysis Analyze(
        IReadOnlyList<CostExecution> latest, IReadOnlyDictionary<Guid, PaidFailures> paidFailures, long monthlyTasks)
    {
        ArgumentNullException.ThrowIfNull(latest);
        ArgumentNullException.ThrowIfNull(paidFailures);
        var successful = latest.Where(IsUsable).ToList();

        // The current configuration: the one whose successful execution is the newest (any execution when none succeeded).
        var newest = (successful.Count > 0 ? successful : latest)
            .OrderByDescending(e => e.CreatedAt).ThenBy(e => e.ExecutionId).FirstOrDefault();
        if (newest is null)
        {
            return new AgentCostAnalysis(null, [], [], [], [], []);
        }

        var current = newest.Configuration;

        // Per benchmark of the current configuration: its latest successful execution, else the latest other one.
        var currentRows = latest.Where(e => e.Configuration == current)
            .GroupBy(e => e.BenchmarkId)
            .Select(g => g.Where(IsUsable).FirstOrDefault() ?? g.OrderByDescending(e => e.CreatedAt).First())
            .OrderBy(e => e.BenchmarkName, StringComparer.Ordinal).ThenBy(e => e.BenchmarkId)
            .ToList();

        // Configurations are compared on the benchmarks the current one has succeeded on (docs/cost-analysis.md, "Comparison set").
        var comparisonSet = currentRows.Where(IsUsable).Select(e => e.BenchmarkId).ToHashSet();
        var configurations = Summarize(successful, current, comparisonSet, monthlyTasks);
        var optimal = configurations
            .Where(c => c.EfficiencyScore > CostAnalysisThresholds.OptimalEfficiency)
            .OrderByDescending(c => c.EstimatedSavings).ThenByDescending(c => c.EfficiencyScore).ThenBy(c => c.ConfigurationId, StringComparer.Ordinal)
            .Select(c => new OptimalConfiguration(
                new ConfigurationDescriptor(c.ConfigurationId, c.AgentVersion, c.ModelConfiguration),
                c.EfficiencyScore!.Value, c.EstimatedSavings!.Value, c.CostPerTaskUsd, c.Performance, c.IsCurrent))
            .ToList();

        var keys = successful.Select(e => e.Configuration).Append(current).Distinct().ToDictionary(k => k.Id);
        var opportunities = CostOpportunities.Find(new CostOpportunityFacts(
            keys, configurations, currentRows, paidFailures, monthlyTasks));

        return new AgentCostAnalysis(
            ConfigurationDescriptor.From(current),
            currentRows.Select(CostPerTask).ToList(),
            currentRows.Select(PerformancePerDollar).ToList(),
            configurations,
            optimal,
            opportunities);
    }

    /// <summary>
    /// The cross-agent scatter of one suite: every agent configuration's figures over its latest successful execution
    /// per benchmark, placed against the frontier of those that cover every benchmark any of them has.
    /// </summary>
    public static IReadOnlyList<FrontierEntry> Frontier(IReadOnlyList<CostExecution> latestSuccessful)
    {
        ArgumentNullException.ThrowIfNull(latestSuccessful);
        var rows = latestSuccessful.Where(IsUsable).ToList();
        var all = rows.Select(e => e.BenchmarkId).ToHashSet();
        var groups = rows.GroupBy(e => (e.AgentId, e.Configuration))
            .Select(g => (g.Key.AgentId, g.Key.Configuration, Rows: g.ToList(), Figures: ConfigurationFigures.Of(g.ToList())))
            .ToList();
        var comparable = groups.Where(g => g.Figures.Benchmarks == all.Count).ToList();
        var positions = CostFrontier.Locate(comparable.Select(g => g.Figures.Point).ToList());
        var position = comparable.Select((g, i) => (g, i)).ToDictionary(x => (x.g.AgentId, x.g.Configuration), x => positions[x.i]);

        return groups
            .Select(g =>
            {
                var p = position.GetValueOrDefault((g.AgentId, g.Configuration));
                var f = g.Figures;
                return new FrontierEntry(
                    g.AgentId, g.Rows.MaxBy(e => e.CreatedAt)!.AgentName, g.Configuration.Id, g.Configuration.AgentVersion,
                    CostJson.Parse(g.Configuration.ModelConfiguration), p is not null, f.Benchmarks, f.CostPerTaskUsd, f.Performance,
                    f.AccuracyScore, f.SpeedScore, p?.OnFrontier, p?.EfficiencyScore, p?.PerformanceEfficiency, p?.CostEfficiency,
                    f.LatestExecutionAt);
            })
            .OrderBy(e => e.CostPerTaskUsd).ThenByDescending(e => e.Performance).ThenBy(e => e.AgentId).ThenBy(e => e.ConfigurationId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A successful execution with at least one successful task (always so for <c>success</c>; guarded anyway).</summary>
    private static bool IsUsable(CostExecution e) => e.Status == BenchmarkExecutionStatuses.Success && e.SuccessfulTasks > 0;

    private static List<ConfigurationSummary> Summarize(
        IReadOnlyList<CostExecution> successful, ConfigurationKey current, IReadOnlySet<Guid> comparisonSet, long monthlyTasks)
    {
        var groups = successful.GroupBy(e => e.Configuration)
            .Select(g =>
            {
                var own = g.ToList();
                var comparable = comparisonSet.Count > 0 && comparisonSet.All(b => own.Any(e => e.BenchmarkId == b));
                var used = comparable ? own.Where(e => comparisonSet.Contains(e.BenchmarkId)).ToList() : own;
                return (Key: g.Key, Comparable: comparable, Figures: ConfigurationFigures.Of(used));
            })
            .ToList();

        var comparable = groups.Where(g => g.Comparable).ToList();
        var positions = CostFrontier.Locate(comparable.Select(g => g.Figures.Point).ToList());
        var position = comparable.Select((g, i) => (g.Key, i)).ToDictionary(x => x.Key, x => positions[x.i]);

        // The current configuration is always comparable with itself when it has a successful execution.
        var currentCost = groups.FirstOrDefault(g => g.Key == current && g.Comparable).Figures?.CostPerTaskUsd;
        return groups
            .Select(g =>
            {
                var p = position.GetValueOrDefault(g.Key);
                var f = g.Figures;
                decimal? savings = p is not null && currentCost is { } cc ? (cc - f.CostPerTaskUsd) * monthlyTasks : null;
                return new ConfigurationSummary(
                    g.Key.Id, g.Key.AgentVersion, CostJson.Parse(g.Key.ModelConfiguration), g.Key == current, g.Comparable,
                    f.Benchmarks, f.CostPerTaskUsd, f.Performance, f.AccuracyScore, f.SpeedScore,
                    p?.OnFrontier, p?.EfficiencyScore, p?.PerformanceEfficiency, p?.CostEfficiency, savings, f.LatestExecutionAt);
            })
            .OrderBy(c => c.CostPerTaskUsd).ThenByDescending(c => c.Performance).ThenBy(c => c.ConfigurationId, StringComparer.Ordinal)
            .ToList();
    }

    private static BenchmarkCostPerTask CostPerTask(CostExecution e) => new(
        e.SuiteId, e.BenchmarkId, e.BenchmarkName, e.ExecutionId, e.Status, e.CreatedAt, e.CostUsd, e.SuccessfulTasks, e.FailedTasks,
        IsUsable(e) ? e.CostUsd / e.SuccessfulTasks : null,
        IsUsable(e) ? null : NoSuccessReason(e));

    private static BenchmarkPerformancePerDollar PerformancePerDollar(CostExecution e)
    {
        string? reason = !IsUsable(e) ? NoSuccessReason(e)
            : e.CostUsd <= 0 ? "The execution cost nothing: performance per dollar is undefined (a free agent)."
            : null;
        return new BenchmarkPerformancePerDollar(
            e.SuiteId, e.BenchmarkId, e.BenchmarkName, e.ExecutionId, e.AccuracyScore, e.SpeedScore, e.PerformanceScore, e.CostUsd,
            reason is null ? e.PerformanceScore / (double)e.CostUsd : null, reason);
    }

    private static string NoSuccessReason(CostExecution e)
    {
        var calls = $"{e.SuccessfulTasks} of {e.SuccessfulTasks + e.FailedTasks} tasks succeeded for {CostText.Money(e.CostUsd)}";
        return e.Status == BenchmarkExecutionStatuses.Terminated
            ? $"No successful execution: the latest was terminated early ({e.TerminationReason ?? "a limit"}); {calls}."
            : $"No task succeeded: the latest execution failed; {calls}.";
    }
}

/// <summary>A configuration's figures over a set of its executions (one per benchmark).</summary>
/// <param name="CostPerTaskUsd">The mean over the benchmarks of cost_usd / successful tasks.</param>
/// <param name="Performance">The mean over the benchmarks of accuracy_score × speed_score.</param>
internal sealed record ConfigurationFigures(
    int Benchmarks, decimal CostPerTaskUsd, double Performance, double AccuracyScore, double SpeedScore, DateTimeOffset LatestExecutionAt)
{
    public FrontierPoint Point => new(CostPerTaskUsd, Performance);

    public static ConfigurationFigures Of(IReadOnlyList<CostExecution> rows) => new(
        rows.Count,
        rows.Sum(e => e.CostUsd / e.SuccessfulTasks) / rows.Count,
        rows.Average(e => e.PerformanceScore),
        rows.Average(e => e.AccuracyScore),
        rows.Average(e => e.SpeedScore),
        rows.Max(e => e.CreatedAt));
}
