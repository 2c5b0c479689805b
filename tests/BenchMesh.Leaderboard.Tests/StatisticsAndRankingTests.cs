using BenchMesh.Leaderboard.Ranking;

namespace BenchMesh.Leaderboard.Tests;

public class ScoreMetricsTests
{
    [Theory]
    [InlineData("accuracy", "accuracy_score")]
    [InlineData("OVERALL_SCORE", "overall_score")]
    [InlineData(null, "overall_score")]
    [InlineData("latency", null)]
    public void Metric_names_accept_short_forms(string? input, string? expected) =>
        Assert.Equal(expected, ScoreMetrics.Normalize(input));
}
