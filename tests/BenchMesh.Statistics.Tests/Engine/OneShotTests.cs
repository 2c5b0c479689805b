using BenchMesh.Statistics.Engine;
using BenchMesh.Statistics.Procedures;
using static BenchMesh.Statistics.Tests.Engine.EngineTestData;

namespace BenchMesh.Statistics.Tests.Engine;

/// <summary>The one-shot level: two versions side by side, decided at Benjamini-Hochberg 5 % with the practical threshold.</summary>
public class OneShotTests
{
    private static readonly MetricDefinition Cost = MetricRegistry.Default.Get(MetricRegistry.CostPerTaskUsd);
    private static readonly MetricDefinition ErrorRate = MetricRegistry.Default.Get(MetricRegistry.ErrorRate);
    private readonly RegressionEngine _engine = new();

    /// <summary>
    /// A suite like the demo's arithmetic: 8 items, 5 runs per version; 1.0 answers every item in every run, 1.1 gets 3 of
    /// them wrong in every run (−37.5 points), and its latency, cost and error rate do not move. The family's five cells
    /// share BH; the accuracy cell alone carries the change.
    /// </summary>
    private static List<SeriesInput> DemoLikeSuite(int seed, Func<int, int, bool> candidateRight)
    {
        var random = new Random(seed);
        Dictionary<string, IReadOnlyList<double>> Items(Func<int, int, bool> right) => Enumerable.Range(0, 8)
            .ToDictionary(i => "q" + i, i => (IReadOnlyList<double>)Enumerable.Range(0, 5).Select(r => right(i, r) ? 1.0 : 0.0).ToArray());
        return
        [
            new SeriesInput("accuracy", "run", Accuracy, [new VersionSample("1.0", Items: Items((_, _) => true)), new VersionSample("1.1", Items: Items(candidateRight))]),
            new SeriesInput("latency", "run", Latency, [new VersionSample("1.0", LogNormalRuns(random, 40, 0.1, 5)), new VersionSample("1.1", LogNormalRuns(random, 40, 0.1, 5))]),
            new SeriesInput("cost", "run", Cost, [new VersionSample("1.0", LogNormalRuns(random, 0.001, 0.05, 5)), new VersionSample("1.1", LogNormalRuns(random, 0.001, 0.05, 5))]),
            new SeriesInput("tokens", "run", MetricRegistry.Default.Get(MetricRegistry.TokensPerTask),
                [new VersionSample("1.0", LogNormalRuns(random, 120, 0.05, 5)), new VersionSample("1.1", LogNormalRuns(random, 120, 0.05, 5))]),
            new SeriesInput("errors", "run", ErrorRate, [new VersionSample("1.0", [0, 0, 0, 0, 0]), new VersionSample("1.1", [0, 0, 0, 0, 0])]),
        ];
    }

    [Fact]
    public void A_36_point_accuracy_drop_on_an_eight_item_suite_is_regressed_at_the_one_shot_level()
    {
        var verdicts = _engine.Analyze(DemoLikeSuite(seed: 1, (item, _) => item >= 3));

        var accuracy = verdicts[0];
        Assert.Equal(DecisionLevel.OneShot, accuracy.DecisionLevel);
        Assert.Equal(Verdict.Regressed, accuracy.Verdict);
        Assert.Equal(-0.375, accuracy.Effect!.Estimate, 9);
        Assert.True(accuracy.Effect.Upper < -0.01, $"interval {accuracy.Effect}"); // beyond the 1-point threshold
        Assert.True(accuracy.QValue <= 0.05, $"q = {accuracy.QValue}");
        Assert.Contains("one-shot", accuracy.Reason);
        var alert = Assert.Single(accuracy.Alerts);
        Assert.Equal(DecisionLevel.OneShot, alert.DecisionLevel);
        Assert.Equal(AlertPath.Gate, alert.Path);
        // The paired test counts the items both versions saw, and the texts say so (not "runs").
        Assert.Equal("items", alert.CountUnit);
        Assert.Equal(8, alert.BaselineRuns);
        Assert.EndsWith("against 8 baseline items since 1.0", accuracy.Reason, StringComparison.Ordinal);
        Assert.All(verdicts.Skip(1), v => Assert.NotEqual(Verdict.Regressed, v.Verdict));
    }

    [Fact]
    public void A_noisy_36_point_drop_on_the_same_suite_is_regressed_too()
    {
        // Three items now fail in four runs out of five, a fourth in three: −37.5 points, not every run alike.
        var verdicts = _engine.Analyze(DemoLikeSuite(seed: 2, (item, run) => item switch { < 3 => run == 4, 3 => run % 2 == 1, _ => true }));

        Assert.Equal(Verdict.Regressed, verdicts[0].Verdict);
        Assert.Equal(-0.375, verdicts[0].Effect!.Estimate, 9);
    }

    [Fact]
    public void The_same_pair_is_decided_one_shot_but_waits_for_confirmation_under_the_monitor()
    {
        // +50 % on 5 runs against 6 (CV 10 %): every candidate run slower, exact Mann-Whitney p = 1/462 ≈ 0.0022 — within
        // 5 %, not within the monitor's 0.001, so a monitored history calls it borderline and waits for more runs.
        var random = new Random(11);
        var pair = new SeriesInput("pair", null, Latency,
            [new VersionSample("1", LogNormalRuns(random, 100, 0.1, 6)), new VersionSample("2", LogNormalRuns(random, 150, 0.1, 5))]);
        var history = LatencySeries("history", seed: 12, count: 9, runs: 6, _ => 100);

        var oneShot = _engine.Analyze([pair]).Single();
        var monitored = new RegressionEngine(new RegressionEngineOptions { Level = DecisionLevel.Monitor }).Analyze([pair]).Single();
        var longHistory = _engine.Analyze([history]).Single();

        Assert.Equal(DecisionLevel.OneShot, oneShot.DecisionLevel);
        Assert.Equal(Verdict.Regressed, oneShot.Verdict);
        Assert.Equal(DecisionLevel.Monitor, monitored.DecisionLevel);
        Assert.Equal(Verdict.Inconclusive, monitored.Verdict);
        Assert.True(monitored.Reason!.Contains("borderline", StringComparison.Ordinal), $"{monitored.Effect} p {monitored.PValue} {monitored.Reason}");
        Assert.Equal(DecisionLevel.Monitor, longHistory.DecisionLevel);
    }

    [Fact]
    public void A_A_pairs_are_regressed_in_at_most_five_percent_of_one_shot_comparisons()
    {
        // 400 families of five latency cells and one accuracy cell (50 items of mixed difficulty × 3 runs), nothing changed.
        var regressedFamilies = 0;
        for (var f = 0; f < 400; f++)
        {
            var cells = Enumerable.Range(0, 5).Select(c => LatencySeries($"l{c}", seed: 1000 + f * 10 + c, count: 2, runs: 5, _ => 100, family: "f")).ToList();
            cells.Add(AccuracySeries("acc", seed: 50_000 + f, items: 50, runsPerItem: 3, drop: 0) with { Family = "f" });
            regressedFamilies += _engine.Analyze(cells).Any(v => v.Verdict == Verdict.Regressed) ? 1 : 0;
        }

        Assert.InRange(regressedFamilies, 0, 20);
    }

    [Fact]
    public void A_A_accuracy_pairs_of_a_small_suite_are_regressed_in_at_most_five_percent()
    {
        var regressed = Enumerable.Range(0, 400)
            .Count(seed => _engine.Analyze([AccuracySeries("acc", seed: 70_000 + seed, items: 8, runsPerItem: 5, drop: 0)]).Single().Verdict == Verdict.Regressed);

        Assert.InRange(regressed, 0, 20);
    }

    [Fact]
    public void A_cell_whose_runs_all_tie_does_not_dilute_the_family()
    {
        // The demo's shape: the error rate is 0 on every run of both versions, so its test cannot go below p = 1; it used to
        // count as a fifth cell in Benjamini-Hochberg and raise every other cell's q-value by 5/4.
        var withTiedCell = DemoLikeSuite(seed: 4, (item, run) => item >= 2 || run < 2);
        var withoutIt = withTiedCell.Take(4).ToList();

        var five = _engine.Analyze(withTiedCell);
        var four = _engine.Analyze(withoutIt);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(four[i].QValue, five[i].QValue);
            Assert.Equal(four[i].Verdict, five[i].Verdict);
        }

        Assert.Equal(Verdict.NoChange, five[4].Verdict); // its interval of exactly 0 still rules a worsening out
        Assert.Equal(1.0, five[4].QValue);
    }

    [Fact]
    public void A_cell_that_can_just_reach_the_level_still_counts_in_the_family()
    {
        // Exact Mann-Whitney, 3 runs against 3: the smallest one-sided p is 1/20 = 0.05, which BH can still reject at the last
        // rank, so the cell stays in the family: a second such cell raises the first one's q-value.
        var random = new Random(5);
        SeriesInput Cell(string id) => new(id, "f", Latency, [new VersionSample("1.0", LogNormalRuns(random, 100, 0.1, 3)), new VersionSample("1.1", LogNormalRuns(random, 100, 0.1, 3))]);
        var accuracy = AccuracySeries("acc", seed: 6, items: 50, runsPerItem: 3, drop: 0.3) with { Family = "f" };

        var alone = _engine.Analyze([accuracy]).Single();
        var withSmallCell = _engine.Analyze([accuracy, Cell("small")])[0];

        Assert.True(withSmallCell.QValue > alone.QValue, $"q alone {alone.QValue}, with a 3-vs-3 cell {withSmallCell.QValue}");
    }

    [Fact]
    public void Offline_a_two_version_input_is_judged_one_shot_and_says_so_in_its_json()
    {
        var verdict = _engine.Analyze(DemoLikeSuite(seed: 3, (item, _) => item >= 3))[0];

        var json = SeriesJson.Write(verdict);

        Assert.Contains("\"decision_level\":\"one_shot\"", json, StringComparison.Ordinal);
        Assert.Contains("decided on the data at hand", verdict.Reason);
    }

    [Fact]
    public void An_undecided_one_shot_cell_says_what_would_settle_it()
    {
        // +4 % on 5 runs of 10 % noise: worse than the 3 % threshold but far from significant.
        var verdict = _engine.Analyze([LatencySeries("s", seed: 21, count: 2, runs: 5, v => v == 1 ? 104 : 100)]).Single();

        Assert.Equal(Verdict.Inconclusive, verdict.Verdict);
        Assert.Equal(DecisionLevel.OneShot, verdict.DecisionLevel);
        Assert.True(verdict.AdditionalRunsNeeded > 0 || verdict.AdditionalRunsNeeded is null);
        Assert.NotNull(verdict.MinimumDetectableEffect);
        Assert.StartsWith("one-shot comparison", verdict.Reason);
    }
}

public class ItemStratifiedTests
{
    [Fact]
    public void With_one_attempt_per_item_on_each_side_it_is_the_exact_McNemar_test()
    {
        var items = Enumerable.Range(0, 40).Select(i => i switch
        {
            < 8 => new ItemCounts(0, 1, 1, 1),   // lost
            < 10 => new ItemCounts(1, 1, 0, 1),  // won
            < 30 => new ItemCounts(1, 1, 1, 1),
            _ => new ItemCounts(0, 1, 0, 1),
        }).ToList();

        var stratified = ItemStratified.Exact(items);
        var mcnemar = McNemar.Exact(baselineOnly: 8, candidateOnly: 2);

        Assert.Equal(mcnemar.PCandidateWorse, stratified.PCandidateWorse, 12);
        Assert.Equal(mcnemar.PCandidateBetter, stratified.PCandidateBetter, 12);
        Assert.Equal(10, stratified.Informative);
    }

    [Fact]
    public void One_item_right_three_times_then_wrong_three_times_is_the_hypergeometric_one_in_twenty()
    {
        var result = ItemStratified.Exact([new ItemCounts(0, 3, 3, 3), new ItemCounts(3, 3, 3, 3)]);

        Assert.Equal(1 / 20.0, result.PCandidateWorse, 12);
        Assert.Equal(1.0, result.PCandidateBetter, 12);
        Assert.Equal(1 / 400.0, result.Floor, 12); // both items flipped: (1/20)²
    }

    [Fact]
    public void Three_items_lost_in_every_one_of_five_runs_is_overwhelming_evidence()
    {
        var items = Enumerable.Range(0, 8).Select(i => i < 3 ? new ItemCounts(0, 5, 5, 5) : new ItemCounts(5, 5, 5, 5)).ToList();

        var result = ItemStratified.Exact(items);

        Assert.Equal(Math.Pow(1 / 252.0, 3), result.PCandidateWorse, 15);
    }

    [Fact]
    public void Nothing_that_differs_is_no_evidence_either_way()
    {
        var result = ItemStratified.Exact([new ItemCounts(2, 2, 2, 2), new ItemCounts(0, 3, 0, 3)]);

        Assert.Equal(1, result.PCandidateWorse);
        Assert.Equal(1, result.PCandidateBetter);
        Assert.Equal(0, result.Informative);
    }
}
