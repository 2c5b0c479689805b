using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Scoring.Scoring;

namespace BenchMesh.Scoring.Tests;

public class ComparativeMetricsTests
{
    private static readonly Scores Scores = new(0.8, 0.6, 0.5, 0.4, 1.0, 0.7);

    [Theory]
    [InlineData(0, 0, 0, 50)]      // alone in its window
    [InlineData(3, 0, 3, 87.5)]    // best of four distinct: (3 + 0.5) / 4
    [InlineData(0, 0, 3, 12.5)]    // worst of four
    [InlineData(1, 2, 3, 62.5)]    // tied with two of the others: (1 + 1.5) / 4
    [InlineData(0, 3, 3, 50)]      // everyone tied
    public void Percentile_rank_is_the_mid_rank(int below, int tied, int peers, double expected) =>
        Assert.Equal(expected, ComparativeMetrics.PercentileRank(below, tied, peers), 9);

    [Fact]
    public void Deviation_uses_the_agents_baseline_before_the_benchmarks_own()
    {
        var agent = Guid.NewGuid();
        BaselineScores[] baselines =
        [
            new() { Scores = new Dictionary<string, double> { ["accuracy_score"] = 0.5 } },
            new() { AgentId = agent.ToString(), Scores = new Dictionary<string, double> { ["accuracy_score"] = 0.9, ["speed"] = 0.4 } },
        ];

        // The agent's own: ((0.8 - 0.9) + (0.6 - 0.4)) / 2.
        Assert.Equal(0.05, ComparativeMetrics.DeviationFromBaseline(baselines, agent, Scores)!.Value, 9);
        // Another agent falls back on the benchmark's: 0.8 - 0.5.
        Assert.Equal(0.3, ComparativeMetrics.DeviationFromBaseline(baselines, Guid.NewGuid(), Scores)!.Value, 9);
    }

    [Fact]
    public void No_applicable_baseline_or_no_known_score_name_gives_null()
    {
        Assert.Null(ComparativeMetrics.DeviationFromBaseline([], Guid.NewGuid(), Scores));
        Assert.Null(ComparativeMetrics.DeviationFromBaseline(null, Guid.NewGuid(), Scores));
        Assert.Null(ComparativeMetrics.DeviationFromBaseline(
            [new BaselineScores { AgentId = Guid.NewGuid().ToString(), Scores = new Dictionary<string, double> { ["accuracy"] = 1 } }], Guid.NewGuid(), Scores));
        Assert.Null(ComparativeMetrics.DeviationFromBaseline(
            [new BaselineScores { Scores = new Dictionary<string, double> { ["bleu"] = 0.3 } }], Guid.NewGuid(), Scores));
    }
}
