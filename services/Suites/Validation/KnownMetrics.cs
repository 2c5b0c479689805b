using BenchMesh.Statistics.Engine;

namespace BenchMesh.Suites.Validation;

/// <summary>
/// The score and metric names BenchMesh produces, which a benchmark's <c>metrics_measured</c> and
/// <c>baseline_scores</c> may name (docs/api.md, "Suites").
/// </summary>
public static class KnownMetrics
{
    /// <summary>
    /// Scoring's scores (columns of <c>benchmark_executions</c>, each in [0, 1]): what a baseline states and
    /// <c>deviation_from_baseline</c> compares.
    /// </summary>
    public static readonly IReadOnlyList<string> Scores =
        ["accuracy_score", "speed_score", "efficiency_score", "cost_score", "reliability_score", "overall_score"];

    /// <summary>The execution's measured columns of the specification's table (§1.2) besides the scores.</summary>
    public static readonly IReadOnlyList<string> ExecutionColumns =
    [
        "total_duration_ms", "tokens_used", "api_calls_made", "memory_peak_mb", "cpu_usage_percent",
        "output_correctness", "output_completeness", "output_relevance", "percentile_rank", "deviation_from_baseline",
    ];

    /// <summary>Everything <c>metrics_measured</c> may name: the scores, those columns and the statistics engine's metrics.</summary>
    public static readonly IReadOnlyList<string> Measurable =
        [.. Scores, .. ExecutionColumns, .. MetricRegistry.Default.Metrics.Select(m => m.Name).Order(StringComparer.Ordinal)];
}
