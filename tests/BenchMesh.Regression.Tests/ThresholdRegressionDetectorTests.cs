using BenchMesh.Contracts.Regression;
using BenchMesh.Regression.Detection;

namespace BenchMesh.Regression.Tests;

public sealed class ThresholdRegressionDetectorTests
{
    private static readonly MetricValues Baseline = new(Accuracy: 0.9, LatencyMs: 100, CostPerTaskUsd: 0.002, TokensPerTask: 400, ErrorRate: 0.05);
    private readonly ThresholdRegressionDetector _detector = new();

    private IReadOnlyList<MetricVerdict> Detect(MetricValues baseline, MetricValues candidate, double threshold = 0.1) =>
        _detector.Detect(new MetricSnapshot("1.0", "arithmetic", baseline), new MetricSnapshot("1.1", "arithmetic", candidate),
            new DetectionOptions { Threshold = threshold });

    private MetricVerdict Verdict(MetricValues candidate, string metric, double threshold = 0.1, MetricValues? baseline = null) =>
        Detect(baseline ?? Baseline, candidate, threshold).Single(v => v.Metric == metric);

    [Fact]
    public void Judges_every_metric_with_its_direction()
    {
        var verdicts = Detect(Baseline, Baseline);

        Assert.Equal(
            [RegressionMetrics.Accuracy, RegressionMetrics.LatencyMs, RegressionMetrics.CostPerTaskUsd, RegressionMetrics.TokensPerTask, RegressionMetrics.ErrorRate],
            verdicts.Select(v => v.Metric));
        Assert.Equal(RegressionMetrics.HigherIsBetter, verdicts[0].Direction);
        Assert.All(verdicts.Skip(1), v => Assert.Equal(RegressionMetrics.LowerIsBetter, v.Direction));
        Assert.DoesNotContain(verdicts, v => v.IsRegression);
    }

    [Fact]
    public void Faster_cheaper_leaner_more_accurate_and_more_reliable_is_never_a_regression()
    {
        var much_better = new MetricValues(Accuracy: 1.0, LatencyMs: 5, CostPerTaskUsd: 0.0001, TokensPerTask: 10, ErrorRate: 0);

        var verdicts = Detect(Baseline, much_better, threshold: 0.01);

        Assert.DoesNotContain(verdicts, v => v.IsRegression);
        Assert.All(verdicts, v => Assert.True(v.Change < 0, $"{v.Metric} should count as an improvement"));
    }

    [Theory]
    [InlineData(110, false)] // exactly the threshold is not "more than" it
    [InlineData(109, false)]
    [InlineData(111, true)]
    public void Latency_regresses_only_beyond_the_threshold(double latency, bool regressed) =>
        Assert.Equal(regressed, Verdict(Baseline with { LatencyMs = latency }, RegressionMetrics.LatencyMs).IsRegression);

    [Fact]
    public void A_larger_threshold_tolerates_a_larger_change()
    {
        var slower = Baseline with { LatencyMs = 130 };

        Assert.True(Verdict(slower, RegressionMetrics.LatencyMs, threshold: 0.1).IsRegression);
        Assert.False(Verdict(slower, RegressionMetrics.LatencyMs, threshold: 0.5).IsRegression);
    }

    [Theory]
    [InlineData(119, "minor")]    // 1.9 x threshold
    [InlineData(120, "major")]    // 2 x
    [InlineData(149, "major")]    // 4.9 x
    [InlineData(150, "critical")] // 5 x
    [InlineData(400, "critical")]
    public void Severity_grows_with_the_multiple_of_the_threshold(double latency, string severity)
    {
        var verdict = Verdict(Baseline with { LatencyMs = latency }, RegressionMetrics.LatencyMs);

        Assert.True(verdict.IsRegression);
        Assert.Equal(severity, verdict.Severity);
        Assert.Equal((latency - 100) / 100, verdict.Change!.Value, 9);
    }

    [Fact]
    public void Cost_and_tokens_regress_when_they_rise()
    {
        var costlier = Baseline with { CostPerTaskUsd = 0.003, TokensPerTask = 500 };

        Assert.Equal("critical", Verdict(costlier, RegressionMetrics.CostPerTaskUsd).Severity); // +50 %
        Assert.Equal("major", Verdict(costlier, RegressionMetrics.TokensPerTask).Severity);     // +25 %
    }

    [Fact]
    public void Accuracy_regresses_when_it_falls_and_a_drop_of_20_points_is_critical()
    {
        var small = Verdict(Baseline with { Accuracy = 0.78 }, RegressionMetrics.Accuracy);  // -13 %, 12 points
        var twenty = Verdict(Baseline with { Accuracy = 0.7 }, RegressionMetrics.Accuracy);  // -22 % (major by ratio), 20 points

        Assert.Equal("minor", small.Severity);
        Assert.Equal("critical", twenty.Severity);
        Assert.False(Verdict(Baseline with { Accuracy = 0.85 }, RegressionMetrics.Accuracy).IsRegression); // -5.6 %
    }

    [Theory]
    [InlineData(0.05, false, null)]      // 5 points from a perfect record: under the 10-point threshold
    [InlineData(0.15, true, "minor")]    // 15 points = 1.5 x
    [InlineData(0.25, true, "critical")] // 25 points >= 20 points
    public void An_error_rate_rising_from_zero_is_judged_in_points(double errorRate, bool regressed, string? severity)
    {
        var verdict = Verdict(Baseline with { ErrorRate = errorRate }, RegressionMetrics.ErrorRate, baseline: Baseline with { ErrorRate = 0 });

        Assert.Equal(regressed, verdict.IsRegression);
        Assert.Equal(severity, verdict.Severity);
        Assert.Equal(errorRate, verdict.Change!.Value, 9);
    }

    [Fact]
    public void An_error_rate_rise_of_20_points_is_critical_even_when_small_relative_to_a_high_baseline()
    {
        // 0.5 -> 0.7 is +40 % (major by ratio), but 20 more failures in a hundred is critical.
        var verdict = Verdict(Baseline with { ErrorRate = 0.7 }, RegressionMetrics.ErrorRate, baseline: Baseline with { ErrorRate = 0.5 });

        Assert.Equal("critical", verdict.Severity);
    }

    [Fact]
    public void A_metric_with_a_zero_baseline_and_no_scale_is_not_judged()
    {
        var verdict = Verdict(Baseline with { CostPerTaskUsd = 0.01 }, RegressionMetrics.CostPerTaskUsd, baseline: Baseline with { CostPerTaskUsd = 0 });

        Assert.False(verdict.IsRegression);
        Assert.Null(verdict.Change);
    }

    [Fact]
    public void Each_regression_explains_its_impact()
    {
        var verdict = _detector.Detect(
            new MetricSnapshot("1.0", "arithmetic", Baseline with { LatencyMs = 30.1 }),
            new MetricSnapshot("1.1", "arithmetic", Baseline with { LatencyMs = 92.4 }),
            new DetectionOptions()).Single(v => v.IsRegression);

        Assert.Equal(
            "Median latency rose from 30.1 ms in version 1.0 to 92.4 ms in version 1.1 (+207 %) on benchmark 'arithmetic'.",
            verdict.ImpactAnalysis);
        Assert.Equal("critical", verdict.Severity);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.1)]
    [InlineData(10.5)]
    [InlineData(double.NaN)]
    public void Rejects_thresholds_outside_0_to_10(double threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Detect(Baseline, Baseline, threshold));

    [Fact]
    public void Health_is_healthy_without_regressions() =>
        Assert.Equal(new HealthAssessment("healthy", "none"), HealthAssessment.Of(Detect(Baseline, Baseline)));

    [Fact]
    public void Minor_and_major_regressions_degrade_and_ask_for_investigation() =>
        Assert.Equal(
            new HealthAssessment("degraded", "investigate"),
            HealthAssessment.Of(Detect(Baseline, Baseline with { LatencyMs = 125, TokensPerTask = 450 })));

    [Fact]
    public void A_major_accuracy_regression_blocks_the_release() =>
        Assert.Equal(
            new HealthAssessment("degraded", "block_release"),
            HealthAssessment.Of(Detect(Baseline, Baseline with { Accuracy = 0.72 }))); // -20 %, 18 points: major

    [Fact]
    public void Any_critical_regression_is_critical_and_blocks_the_release() =>
        Assert.Equal(
            new HealthAssessment("critical", "block_release"),
            HealthAssessment.Of(Detect(Baseline, Baseline with { LatencyMs = 300 })));
}
