using BenchMesh.Contracts.Regression;

namespace BenchMesh.Regression.Detection;

/// <summary>The values one execution (or one version on one benchmark) is judged on.</summary>
public sealed record MetricValues(
    double Accuracy,
    double LatencyMs,
    double CostPerTaskUsd,
    double TokensPerTask,
    double ErrorRate);

/// <summary>One side of a comparison: a version's values on one benchmark.</summary>
public sealed record MetricSnapshot(string Version, string BenchmarkName, MetricValues Values);

/// <summary>How sensitive detection is.</summary>
public sealed record DetectionOptions
{
    public const double DefaultThreshold = 0.1;
    public const double MinThreshold = 0.0;
    public const double MaxThreshold = 10.0;

    /// <summary>The relative change in the bad direction that counts as a regression (0.1 = 10 %).</summary>
    public double Threshold { get; init; } = DefaultThreshold;

    public static bool IsValidThreshold(double threshold) =>
        !double.IsNaN(threshold) && threshold > MinThreshold && threshold <= MaxThreshold;
}

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

/// <summary>
/// The judgement on one metric. <see cref="Change"/> is positive when the candidate is worse (0.25 = 25 %
/// worse than the baseline) and negative when it is better; it is relative to the baseline, except for an
/// error rate whose baseline is 0, where it is the absolute increase (0.15 = 15 points).
/// </summary>
public sealed record MetricVerdict(
    string Metric,
    string Direction,
    double BaselineValue,
    double CurrentValue,
    double? Change,
    bool IsRegression,
    string? Severity,
    string? ImpactAnalysis);

/// <summary>
/// Decides which metrics of a candidate regressed against a baseline. One interface, so that a statistically
/// sound detector (paired per-item tests, change points over per-iteration values) can replace the threshold
/// one without touching the consumer or the API.
/// </summary>
public interface IRegressionDetector
{
    /// <summary>The name published in <see cref="RegressionDetected.Detector"/>.</summary>
    string Name { get; }

    IReadOnlyList<MetricVerdict> Detect(MetricSnapshot baseline, MetricSnapshot candidate, DetectionOptions options);
}

/// <summary>The overall verdict on a set of metric verdicts.</summary>
public sealed record HealthAssessment(string OverallHealth, string RecommendedAction)
{
    public static HealthAssessment Of(IEnumerable<MetricVerdict> verdicts)
    {
        var regressions = verdicts.Where(v => v.IsRegression).ToList();
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
