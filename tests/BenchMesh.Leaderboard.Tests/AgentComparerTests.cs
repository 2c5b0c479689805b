using BenchMesh.Leaderboard.Ranking;

namespace BenchMesh.Leaderboard.Tests;

public class AgentComparerTests
{
    private readonly AgentComparer _comparer = new();

    private static readonly Guid Benchmark = Guid.NewGuid();

    /// <summary>An agent that answered <paramref name="items"/> items once each, getting those below <paramref name="right"/> right.</summary>
    private static AgentExecutions Agent(string name, int items, Func<int, bool> right, double accuracyScore, double costPerTask = 0.002) => new(
        Guid.NewGuid(), name, "1.0",
        [new ExecutionScores(
            Benchmark,
            "general",
            new ScoreSet(accuracyScore, accuracyScore, 0.5, 0.5, 0.5, 1),
            [accuracyScore],
            [1.0],
            Enumerable.Range(0, items).ToDictionary(i => "q" + i, i => new[] { right(i) ? 1 : 0, 1 }),
            new ExecutionFigures(costPerTask, 100, 20, 0))]);

    [Fact]
    public void Accuracy_on_the_same_items_is_compared_pair_by_pair_with_exact_McNemar()
    {
        // The second agent gets every item the first does, plus 20 more of 100: 20 discordant pairs, all one way.
        var first = Agent("first", 100, i => i < 60, 0.60);
        var second = Agent("second", 100, i => i < 80, 0.80);

        var accuracy = _comparer.Compare(first, second).DetailedMetrics.Single(m => m.Metric == ComparedMetrics.Accuracy);

        var s = accuracy.StatisticalSignificance;
        Assert.Equal(AgentComparer.PerItem, s.Basis);
        Assert.Equal("mcnemar_exact", s.Test);
        Assert.Equal(2 * Math.Pow(0.5, 20), s.PValue, 12); // two-sided exact binomial
        Assert.Equal(AgentComparer.AgentBBetter, s.Verdict);
        Assert.Equal((100, 100, "items"), (s.AgentASamples, s.AgentBSamples, s.SampleUnit));
        Assert.Equal(second.Ref, accuracy.Winner);
        Assert.Equal(-0.20, s.Effect.Estimate, 9);
        Assert.Equal(-0.20, accuracy.Difference, 9);
        Assert.Equal(-25.0, accuracy.PercentageDifference!.Value, 9); // (0.6 − 0.8) / 0.8 × 100
        Assert.StartsWith("second 1.0 is better by 20.0 points (95 % CI ", accuracy.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_difference_the_items_cannot_support_has_no_winner_and_says_what_could_be_detected()
    {
        // 3 discordant pairs in 100 items: exact two-sided p = 0.25, no winner.
        var first = Agent("first", 100, i => i < 60, 0.60);
        var second = Agent("second", 100, i => i < 63, 0.63);

        var outcome = _comparer.Compare(first, second);
        var accuracy = outcome.DetailedMetrics.Single(m => m.Metric == ComparedMetrics.Accuracy);

        Assert.Equal(0.25, accuracy.StatisticalSignificance.PValue, 12);
        Assert.False(accuracy.StatisticalSignificance.Significant);
        Assert.Equal(AgentComparer.NoSignificantDifference, accuracy.StatisticalSignificance.Verdict);
        Assert.Null(accuracy.Winner);
        Assert.True(accuracy.StatisticalSignificance.MinimumDetectableEffect > 0);
        Assert.StartsWith("No significant difference (q=", accuracy.Note, StringComparison.Ordinal);
        Assert.Null(outcome.OverallWinner);
        Assert.StartsWith($"No significant difference between first 1.0 and second 1.0 on any of the 5 metrics", Assert.Single(ComparisonAdvice.Recommendations(outcome)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_five_metrics_are_one_family_so_q_values_are_never_below_p_values()
    {
        var first = Agent("first", 100, i => i < 60, 0.60);
        var second = Agent("second", 100, i => i < 80, 0.80);

        var metrics = _comparer.Compare(first, second).DetailedMetrics;

        Assert.Equal(ComparedMetrics.All, metrics.Select(m => m.Metric));
        Assert.All(metrics, m => Assert.True(m.StatisticalSignificance.QValue >= m.StatisticalSignificance.PValue - 1e-15));
    }

    [Fact]
    public void Recommendations_name_the_winner_the_work_the_evidence_and_the_trade_off()
    {
        // second is 20 points more accurate on the same 100 items; first costs less per task, but one execution each
        // cannot show a cost difference, so the cost is not mentioned.
        var first = Agent("first", 100, i => i < 60, 0.60, costPerTask: 0.001);
        var second = Agent("second", 100, i => i < 80, 0.80, costPerTask: 0.0021);

        var outcome = _comparer.Compare(first, second);
        var recommendations = ComparisonAdvice.Recommendations(outcome);

        Assert.Equal(second.Ref, outcome.OverallWinner);
        Assert.Equal((0, 1), (outcome.AgentAWins, outcome.AgentBWins));
        Assert.Equal(
            [
                "Overall, prefer second 1.0: significantly better on 1 of 5 metrics (accuracy).",
                "Use second 1.0 for accuracy-critical work: 20.0 points more accurate, 80.0% vs 60.0% (p<0.001, 100 items).",
                "No significant difference in speed, efficiency, cost and reliability.",
            ],
            recommendations);
    }

    [Fact]
    public void Equal_numbers_of_significant_wins_are_a_tie_with_no_overall_winner()
    {
        // Three benchmarks: a is 30 points more accurate on each, b 40 points better on cost on each.
        Guid[] benchmarks = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        AgentExecutions Version(string name, double accuracy, double cost) => new(Guid.NewGuid(), name, "1.0", benchmarks.Select((id, i) =>
            new ExecutionScores(id, "general", new ScoreSet(0, accuracy + i * 0.01, 0.5, 0.5, cost, 1), [], [], new Dictionary<string, int[]>(),
                new ExecutionFigures(0.001, 100, 20, 0))).ToList());
        var a = Version("a", 0.9, 0.4);
        var b = Version("b", 0.6, 0.8);

        var outcome = _comparer.Compare(a, b);

        Assert.Equal((1, 1), (outcome.AgentAWins, outcome.AgentBWins));
        Assert.Null(outcome.OverallWinner);
        Assert.Equal("general", Assert.Single(outcome.Categories).Category);
        Assert.Null(outcome.Categories[0].Winner);
        Assert.Equal(
            "Neither wins overall: a 1.0 is significantly better on accuracy, b 1.0 on cost; choose by what matters most for the work.",
            ComparisonAdvice.Recommendations(outcome)[0]);
    }
}
