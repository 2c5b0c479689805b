using BenchMesh.LoadEngine.Metrics;
using BenchMesh.LoadEngine.Thresholds;

namespace BenchMesh.LoadEngine.Tests;

public sealed class ThresholdTests
{
    private static readonly MetricSnapshot Run = new(
        new LatencySummary(Mean: 40, P50: 30, P90: 80, P95: 120, P99: 450, P999: 900, Max: 1200),
        Requests: 1000, ErrorRate: 0.005, AchievedRps: 990, TargetRps: 1000, DroppedRate: 0.02);

    [Theory]
    [InlineData("p99<500ms", "p99", Comparison.Less, 500, false, true)]
    [InlineData("p95<=2s", "p95", Comparison.LessOrEqual, 2000, false, true)]
    [InlineData("p99 < 400", "p99", Comparison.Less, 400, false, false)]
    [InlineData("p(90)<0.05s", "p90", Comparison.Less, 50, false, false)]
    [InlineData("p99.9<1s", "p99.9", Comparison.Less, 1000, false, true)]
    [InlineData("max<=1200ms", "max", Comparison.LessOrEqual, 1200, false, true)]
    [InlineData("avg<500us", "avg", Comparison.Less, 0.5, false, false)]
    [InlineData("error_rate<1%", "error_rate", Comparison.Less, 0.01, false, true)]
    [InlineData("error_rate<0.01", "error_rate", Comparison.Less, 0.01, false, true)]
    [InlineData("error_rate<0.1%", "error_rate", Comparison.Less, 0.001, false, false)]
    [InlineData("achieved_rate>=0.98*target", "achieved_rate", Comparison.GreaterOrEqual, 0.98, true, true)]
    [InlineData("achieved_rate>=99.5%", "achieved_rate", Comparison.GreaterOrEqual, 0.995, true, false)]
    [InlineData("rps>=100", "rps", Comparison.GreaterOrEqual, 100, false, true)]
    [InlineData("rps>1000", "rps", Comparison.Greater, 1000, false, false)]
    [InlineData("dropped_rate<5%", "dropped_rate", Comparison.Less, 0.05, false, true)]
    public void Good_expressions_parse_and_judge(string expression, string metric, Comparison comparison, double value, bool relative, bool passes)
    {
        var threshold = Threshold.Parse(expression);

        Assert.Equal(metric, threshold.Metric);
        Assert.Equal(comparison, threshold.Comparison);
        Assert.Equal(value, threshold.Value, 9);
        Assert.Equal(relative, threshold.RelativeToTarget);
        Assert.False(threshold.AbortOnFail);
        Assert.Equal(passes, threshold.Evaluate(Run).Passed);
    }

    [Fact]
    public void A_relative_limit_resolves_against_the_target_and_reports_what_it_saw()
    {
        var result = Threshold.Parse("achieved_rate>=0.98*target").Evaluate(Run);

        Assert.Equal(990, result.Observed);
        Assert.Equal(980, result.Limit);
        Assert.True(result.Passed);
    }

    [Fact]
    public void Without_a_target_a_relative_limit_fails_with_a_note()
    {
        var result = Threshold.Parse("achieved_rate>=0.98*target").Evaluate(Run with { TargetRps = null });

        Assert.False(result.Passed);
        Assert.Null(result.Limit);
        Assert.Contains("no target rate", result.Note);
    }

    [Fact]
    public void Options_set_abort_grace_and_window()
    {
        var threshold = Threshold.Parse("p99<500ms, abort_on_fail, grace=10s, window=3s");

        Assert.True(threshold.AbortOnFail);
        Assert.Equal(TimeSpan.FromSeconds(10), threshold.Grace);
        Assert.Equal(TimeSpan.FromSeconds(3), threshold.Window);
        Assert.Equal(Threshold.DefaultGrace, Threshold.Parse("p99<1s,abort_on_fail").Grace);
    }

    [Theory]
    [InlineData("p99", "expected metric, comparison and value")]
    [InlineData("<500ms", "expected metric, comparison and value")]
    [InlineData("p98<500ms", "unknown metric 'p98'")]
    [InlineData("latency<500ms", "unknown metric 'latency'")]
    [InlineData("p99=500ms", "unknown comparison")]
    [InlineData("p99<", "the value is missing")]
    [InlineData("p99<fast", "'fast' is not a latency")]
    [InlineData("p99<-5ms", "'-5ms' is not a latency")]
    [InlineData("error_rate<150%", "not a percentage between 0% and 100%")]
    [InlineData("error_rate<2", "not a rate; write a fraction")]
    [InlineData("achieved_rate>=x*target", "not a factor of the target")]
    [InlineData("rps>=lots", "'lots' is not a rate")]
    [InlineData("p99<500ms,abort", "unknown option 'abort'")]
    [InlineData("p99<500ms,window=100ms", "unknown option 'window=100ms'")]
    public void Bad_expressions_name_the_expression_and_the_problem(string expression, string problem)
    {
        var error = Assert.Throws<ThresholdFormatException>(() => Threshold.Parse(expression));

        Assert.StartsWith($"threshold '{expression}': ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(expression, error.Expression);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("750us", 0.75)]
    public void Durations_parse_with_units(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds, 6);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("ten s")]
    [InlineData("-1s")]
    [InlineData("")]
    public void Non_durations_are_refused(string text) => Assert.False(DurationText.TryParse(text, out _));
}
