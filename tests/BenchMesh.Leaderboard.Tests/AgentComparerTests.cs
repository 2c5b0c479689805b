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

    /// <summary>An agent version with one execution per (benchmark, speed score) given: accuracy 0.9 throughout, no item outcomes.</summary>
    private static AgentExecutions Speeds(string name, params (Guid Benchmark, double Speed)[] executions) => new(
        Guid.NewGuid(), name, "1.0",
        [.. executions.Select(e => new ExecutionScores(
            e.Benchmark, "general", new ScoreSet(0.8, 0.9, e.Speed, 0.5, 0.5, 1), [0.9], [1.0], new Dictionary<string, int[]>(),
            new ExecutionFigures(0.002, 100, 20, 0)))]);

    [Fact]
    public void A_rank_interval_that_cannot_reach_95_percent_says_its_level_and_agrees_with_the_p_value_and_the_verdict()
    {
        // The demo's case: two benchmarks, 1.0 ran each once, 1.1 ran one twice — speed −24.5 points on every execution.
        // Mann-Whitney on 2 against 3 executions: two-sided p = 2/C(5, 2) = 0.2 at best, and the widest distribution-free
        // interval has 80 %. It is clear of 0 at 80 % exactly as p ≤ 0.2 says; it used to be shown as a 95 % interval
        // beside "p 0.2, tied".
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        var candidate = Speeds("agent", (first, 0.500), (second, 0.505));
        var baseline = Speeds("agent", (first, 0.745), (second, 0.749), (first, 0.752));

        var speed = _comparer.Compare(candidate, baseline).DetailedMetrics.Single(m => m.Metric == ComparedMetrics.Speed);

        var s = speed.StatisticalSignificance;
        Assert.Equal(AgentComparer.PerExecution, s.Basis);
        Assert.Equal("mann_whitney", s.Test);
        Assert.Equal(0.2, s.PValue, 12);
        Assert.Equal(AgentComparer.NoSignificantDifference, s.Verdict);
        Assert.Null(speed.Winner);
        Assert.Equal(0.8, s.IntervalConfidence, 12);
        Assert.True(s.Effect.Upper < 0, "the 80 % interval is clear of 0");
        Assert.Equal(s.Effect.Upper < 0 || s.Effect.Lower > 0, s.PValue <= 1 - s.IntervalConfidence + 1e-12);
        Assert.Contains("The interval (-25.2 to -24.0 points) has only 80 % confidence, the most 2 vs 3 executions allow; a 95 % interval would include 0.", speed.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_winner_always_has_an_interval_clear_of_0_at_its_stated_level()
    {
        var first = Agent("first", 100, i => i < 60, 0.60);
        var second = Agent("second", 100, i => i < 80, 0.80);

        var metrics = _comparer.Compare(first, second).DetailedMetrics;

        Assert.Contains(metrics, m => m.StatisticalSignificance.Significant);
        Assert.All(metrics.Where(m => m.StatisticalSignificance.Significant), m =>
            Assert.True(m.StatisticalSignificance.Effect.Lower > 0 || m.StatisticalSignificance.Effect.Upper < 0));
        // Accuracy item by item reaches its 95 %; one execution against one has a single difference, a 0 % interval.
        Assert.Equal(0.95, metrics.Single(m => m.Metric == ComparedMetrics.Accuracy).StatisticalSignificance.IntervalConfidence, 12);
    }
}
