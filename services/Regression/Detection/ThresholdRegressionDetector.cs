using System.Globalization;
using BenchMesh.Contracts.Regression;

namespace BenchMesh.Regression.Detection;

/// <summary>
/// Today's detector: per metric, the direction-aware relative change of the candidate against the baseline.
/// A metric regresses when it moved in its bad direction by more than the threshold; an improvement, however
/// large, never does. Severity grows with the multiple of the threshold (minor &lt; 2×, major &lt; 5×, critical
/// ≥ 5×), and losing 20 points of accuracy or gaining 20 points of error rate is critical whatever the threshold.
/// It looks at one value per side, so it cannot tell noise from change: keep thresholds above the benchmark's
/// run-to-run noise.
/// </summary>
public sealed class ThresholdRegressionDetector : IRegressionDetector
{
    public const string DetectorName = "threshold";

    /// <summary>Absolute moves (in points of a rate) that are critical on their own.</summary>
    public const double CriticalAccuracyDropPoints = 0.20;
    public const double CriticalErrorRateRisePoints = 0.20;

    // Relative changes are computed in floating point: 100 -> 110 is 0.10000000000000009. Without a tolerance
    // a change of exactly the threshold would flip on rounding.
    private const double Tolerance = 1e-9;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public string Name => DetectorName;

    public IReadOnlyList<MetricVerdict> Detect(MetricSnapshot baseline, MetricSnapshot candidate, DetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(options);
        if (!DetectionOptions.IsValidThreshold(options.Threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Threshold, "The threshold must be in (0, 10].");
        }

        var b = baseline.Values;
        var c = candidate.Values;
        return
        [
            Judge(RegressionMetrics.Accuracy, higherIsBetter: true, b.Accuracy, c.Accuracy, baseline, candidate, options.Threshold),
            Judge(RegressionMetrics.LatencyMs, higherIsBetter: false, b.LatencyMs, c.LatencyMs, baseline, candidate, options.Threshold),
            Judge(RegressionMetrics.CostPerTaskUsd, higherIsBetter: false, b.CostPerTaskUsd, c.CostPerTaskUsd, baseline, candidate, options.Threshold),
            Judge(RegressionMetrics.TokensPerTask, higherIsBetter: false, b.TokensPerTask, c.TokensPerTask, baseline, candidate, options.Threshold),
            Judge(RegressionMetrics.ErrorRate, higherIsBetter: false, b.ErrorRate, c.ErrorRate, baseline, candidate, options.Threshold),
        ];
    }

    private static MetricVerdict Judge(
        string metric, bool higherIsBetter, double baselineValue, double currentValue,
        MetricSnapshot baseline, MetricSnapshot candidate, double threshold)
    {
        var direction = higherIsBetter ? RegressionMetrics.HigherIsBetter : RegressionMetrics.LowerIsBetter;
        var change = WorseningOf(metric, higherIsBetter, baselineValue, currentValue);
        if (change is not { } worse || worse <= threshold + Tolerance)
        {
            return new MetricVerdict(metric, direction, baselineValue, currentValue, change, false, null, null);
        }

        var severity = SeverityOf(worse / threshold);
        if ((metric == RegressionMetrics.Accuracy && baselineValue - currentValue >= CriticalAccuracyDropPoints - Tolerance)
            || (metric == RegressionMetrics.ErrorRate && currentValue - baselineValue >= CriticalErrorRateRisePoints - Tolerance))
        {
            severity = Severities.Critical;
        }

        var impact = ImpactOf(metric, baselineValue, currentValue, worse, baseline, candidate);
        return new MetricVerdict(metric, direction, baselineValue, currentValue, worse, true, severity, impact);
    }

    /// <summary>
    /// How much worse the candidate is, as a fraction of the baseline (negative: better). Null when the
    /// baseline gives no scale to compare with (a baseline of 0 latency, cost or tokens, or of 0 accuracy).
    /// </summary>
    private static double? WorseningOf(string metric, bool higherIsBetter, double baselineValue, double currentValue)
    {
        if (!double.IsFinite(baselineValue) || !double.IsFinite(currentValue))
        {
            return null;
        }

        var worseBy = higherIsBetter ? baselineValue - currentValue : currentValue - baselineValue;
        if (baselineValue > 0)
        {
            return worseBy / baselineValue;
        }

        // From a perfect 0 % error rate any relative rise is infinite; compare the rise in points instead
        // (0 -> 0.15 is 15 points, a regression at the default 10 % threshold).
        if (metric == RegressionMetrics.ErrorRate)
        {
            return worseBy;
        }

        return worseBy == 0 ? 0 : null;
    }

    private static string SeverityOf(double multipleOfThreshold) => multipleOfThreshold switch
    {
        < 2 - Tolerance => Severities.Minor,
        < 5 - Tolerance => Severities.Major,
        _ => Severities.Critical,
    };

    private static string ImpactOf(
        string metric, double baselineValue, double currentValue, double worse, MetricSnapshot baseline, MetricSnapshot candidate)
    {
        var (what, verb, from, to) = metric switch
        {
            RegressionMetrics.Accuracy => ("Accuracy", "fell", Percent(baselineValue), Percent(currentValue)),
            RegressionMetrics.LatencyMs => ("Median latency", "rose", Ms(baselineValue), Ms(currentValue)),
            RegressionMetrics.CostPerTaskUsd => ("Cost per task", "rose", Usd(baselineValue), Usd(currentValue)),
            RegressionMetrics.TokensPerTask => ("Tokens per task", "rose", Number(baselineValue), Number(currentValue)),
            _ => ("Error rate", "rose", Percent(baselineValue), Percent(currentValue)),
        };
        var change = metric == RegressionMetrics.ErrorRate && baselineValue == 0
            ? $"+{(worse * 100).ToString("0.#", Invariant)} points"
            : $"{(metric == RegressionMetrics.Accuracy ? "-" : "+")}{(worse * 100).ToString("0", Invariant)} %";
        return $"{what} {verb} from {from} in version {baseline.Version} to {to} in version {candidate.Version} " +
               $"({change}) on benchmark '{candidate.BenchmarkName}'.";
    }

    private static string Percent(double rate) => (rate * 100).ToString("0.#", Invariant) + " %";
    private static string Ms(double ms) => ms.ToString("0.#", Invariant) + " ms";
    private static string Usd(double usd) => "$" + usd.ToString("0.######", Invariant);
    private static string Number(double value) => value.ToString("0.#", Invariant);
}
