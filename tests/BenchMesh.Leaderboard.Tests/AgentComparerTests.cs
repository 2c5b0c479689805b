using BenchMesh.Leaderboard.Ranking;

namespace BenchMesh.Leaderboard.Tests;

public class AgentComparerTests
{
    private readonly AgentComparer _comparer = new();

    private static readonly Guid Benchmark = Guid.NewGuid();

    /// <summary>An agent that answered <paramref name="items"/> items once each, getting those below <paramref name="right"/> right.</summary>
    private static AgentExecutions Agent(string name, int items, Func<int, bool> right, double accuracyScore) => new(
        Guid.NewGuid(), name, "1.0",
        [new ExecutionScores(
            Benchmark,
            new ScoreSet(accuracyScore, accuracyScore, 0.5, 0.5, 0.5, 1),
            [accuracyScore],
            [1.0],
            Enumerable.Range(0, items).ToDictionary(i => "q" + i, i => new[] { right(i) ? 1 : 0, 1 }))]);

    [Fact]
    public void Accuracy_on_the_same_items_is_compared_pair_by_pair_with_exact_McNemar()
    {
        // The second agent gets every item the first does, plus 20 more of 100: 20 discordant pairs, all one way.
        var first = Agent("first", 100, i => i < 60, 0.60);
        var second = Agent("second", 100, i => i < 80, 0.80);

        var accuracy = _comparer.HeadToHead(first, second).Single(m => m.Metric == ScoreMetrics.Accuracy);

        Assert.Equal(AgentComparer.PerItem, accuracy.Basis);
        Assert.Equal("mcnemar_exact", accuracy.StatisticalSignificance.Test);
        Assert.Equal(2 * Math.Pow(0.5, 20), accuracy.StatisticalSignificance.PValue, 12); // two-sided exact binomial
        Assert.Equal(AgentComparer.SecondBetter, accuracy.StatisticalSignificance.Verdict);
        Assert.Equal(second.AgentId, accuracy.Winner);
        Assert.Equal(-0.20, accuracy.StatisticalSignificance.Effect.Estimate, 9);
    }

    [Fact]
    public void A_difference_the_items_cannot_support_is_a_tie_with_its_detectable_effect()
    {
        // 3 discordant pairs in 100 items: exact two-sided p = 0.25, no winner.
        var first = Agent("first", 100, i => i < 60, 0.60);
        var second = Agent("second", 100, i => i < 63, 0.63);

        var accuracy = _comparer.HeadToHead(first, second).Single(m => m.Metric == ScoreMetrics.Accuracy);

        Assert.Equal(0.25, accuracy.StatisticalSignificance.PValue, 12);
        Assert.False(accuracy.StatisticalSignificance.Significant);
        Assert.Equal(AgentComparer.Tied, accuracy.StatisticalSignificance.Verdict);
        Assert.Null(accuracy.Winner);
        Assert.True(accuracy.StatisticalSignificance.MinimumDetectableEffect > 0);
    }

    [Fact]
    public void The_six_scores_are_one_family_so_q_values_are_never_below_p_values()
    {
        var first = Agent("first", 100, i => i < 60, 0.60);
        var second = Agent("second", 100, i => i < 80, 0.80);

        var metrics = _comparer.HeadToHead(first, second);

        Assert.Equal(ScoreMetrics.All, metrics.Select(m => m.Metric));
        Assert.All(metrics, m => Assert.True(m.StatisticalSignificance.QValue >= m.StatisticalSignificance.PValue - 1e-15));
    }
}
