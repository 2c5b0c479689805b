using BenchMesh.Leaderboard.Ranking;
using BenchMesh.Leaderboard.Statistics;

namespace BenchMesh.Leaderboard.Tests;

public class WelchTTestTests
{
    private readonly WelchTTest _test = new();

    [Fact]
    public void Matches_a_textbook_value_with_equal_variances()
    {
        var result = _test.Compare([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
        Assert.Equal(-5, result.Statistic!.Value, 9);
        Assert.Equal(8, result.DegreesOfFreedom!.Value, 9);
        Assert.Equal(0.0010528, result.PValue!.Value, 6);
        Assert.True(result.Significant);
    }

    [Fact]
    public void Matches_the_unequal_variance_reference_example()
    {
        // Welch's t-test article, example 1: t = -2.46, df = 24.99, p = 0.021.
        double[] a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
        double[] b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
        var result = _test.Compare(a, b);
        Assert.Equal(-2.4554, result.Statistic!.Value, 4);
        Assert.InRange(result.DegreesOfFreedom!.Value, 24.988, 24.989);
        Assert.Equal(0.02138, result.PValue!.Value, 4);
    }

    [Fact]
    public void Overlapping_samples_are_not_significant()
    {
        var result = _test.Compare([0.5, 0.6, 0.55, 0.52], [0.51, 0.58, 0.57, 0.5]);
        Assert.False(result.Significant);
        Assert.True(result.PValue > 0.05);
    }

    [Fact]
    public void Too_few_values_cannot_be_tested()
    {
        var result = _test.Compare([0.9], [0.1, 0.2]);
        Assert.Null(result.PValue);
        Assert.False(result.Significant);
    }

    [Fact]
    public void Identical_constant_samples_are_a_tie() =>
        Assert.Equal(1, _test.Compare([0.7, 0.7, 0.7], [0.7, 0.7]).PValue);
}

public class LeaderboardRankerTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid();

    private static BenchmarkResult R(Guid agent, string name, string version, double overall, double speed, Guid? benchmark = null) =>
        new(agent, name, version, benchmark ?? Guid.NewGuid(), new ScoreSet(overall, 0.5, speed, 0.5, 0.5, 1));

    [Fact]
    public void Ranks_versions_by_the_mean_of_their_benchmarks_with_per_metric_ranks()
    {
        var ranked = LeaderboardRanker.Rank(
        [
            R(A, "alpha", "1.0", 0.9, 0.2), R(A, "alpha", "1.0", 0.7, 0.2),   // mean 0.8
            R(B, "beta", "2.0", 0.6, 0.9),
            R(C, "gamma", "1.0", 0.7, 0.5),
        ], ScoreMetrics.Overall, 10);

        Assert.Equal(["alpha", "gamma", "beta"], ranked.Select(r => r.AgentName));
        Assert.Equal([1, 2, 3], ranked.Select(r => r.Rank));
        Assert.Equal(0.8, ranked[0].Scores.Overall, 9);
        Assert.Equal(2, ranked[0].Executions);
        Assert.Equal(3, ranked[0].Ranks[ScoreMetrics.Speed]);
        Assert.Equal(1, ranked[2].Ranks[ScoreMetrics.Speed]);
        Assert.Equal(1, ranked[1].Ranks[ScoreMetrics.Reliability]); // all tie at 1.0: shared rank
        Assert.Equal(1, ranked[2].Ranks[ScoreMetrics.Reliability]);
    }

    [Fact]
    public void Ranking_by_another_metric_reorders_and_limit_truncates()
    {
        var ranked = LeaderboardRanker.Rank([R(A, "alpha", "1", 0.9, 0.1), R(B, "beta", "1", 0.5, 0.9), R(C, "gamma", "1", 0.1, 0.5)], ScoreMetrics.Speed, 2);
        Assert.Equal(["beta", "gamma"], ranked.Select(r => r.AgentName));
        Assert.Equal(1, ranked[0].Rank);
        Assert.Equal(2, ranked[0].Ranks[ScoreMetrics.Overall]);
    }

    [Fact]
    public void Each_version_of_an_agent_is_its_own_entry() =>
        Assert.Equal(2, LeaderboardRanker.Rank([R(A, "alpha", "1.0", 0.5, 0.5), R(A, "alpha", "1.1", 0.6, 0.5)], ScoreMetrics.Overall, 10).Count);

    [Theory]
    [InlineData("accuracy", "accuracy_score")]
    [InlineData("OVERALL_SCORE", "overall_score")]
    [InlineData(null, "overall_score")]
    [InlineData("latency", null)]
    public void Metric_names_accept_short_forms(string? input, string? expected) =>
        Assert.Equal(expected, ScoreMetrics.Normalize(input));
}
