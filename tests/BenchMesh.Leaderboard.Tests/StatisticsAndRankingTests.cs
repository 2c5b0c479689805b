using BenchMesh.Leaderboard.Ranking;

namespace BenchMesh.Leaderboard.Tests;

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
