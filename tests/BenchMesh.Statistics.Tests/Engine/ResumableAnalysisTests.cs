using BenchMesh.Statistics.Engine;
using static BenchMesh.Statistics.Tests.Engine.EngineTestData;

namespace BenchMesh.Statistics.Tests.Engine;

/// <summary>
/// <see cref="RegressionEngine.AnalyzeResumable"/> gives exactly <see cref="RegressionEngine.Analyze"/>'s verdicts (every
/// field, every alert) whether it resumes from a checkpoint or not, on seeded random histories: families of several
/// series (runs; items only; runs and items), versions missing in some series, level shifts, single-version outliers,
/// slow drifts, two-version families; and it resumes only when the checkpoint still applies.
/// </summary>
public class ResumableAnalysisTests
{
    private static readonly MetricDefinition ErrorRate = MetricRegistry.Default.Get(MetricRegistry.ErrorRate);
    private static readonly MetricDefinition Cost = MetricRegistry.Default.Get(MetricRegistry.CostPerTaskUsd);

    private readonly RegressionEngine _engine = new();

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 24)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_history_judged_version_by_version_from_each_checkpoint_gives_the_verdicts_of_judging_it_whole(int seed)
    {
        var history = RandomHistory(seed);
        var order = history.SelectMany(s => s.Versions.Select(v => v.Version)).Distinct().OrderBy(int.Parse).ToList();
        EngineCheckpoint? checkpoint = null;
        List<string> held = [];
        var resumes = 0;
        for (var k = 1; k <= order.Count; k++)
        {
            // A new version arrives: the checkpoint holds the versions before the previous newest.
            var input = Upto(history, order, k);
            var merged = MergedOrder(input);
            var resumed = _engine.AnalyzeResumable(input, checkpoint);
            AssertSame(_engine.Analyze(input), resumed.Verdicts);
            // Resumed exactly when the family's order still begins with the checkpoint's versions (a version a series
            // lacks can put the new one before the previous newest: the engine's merged order, RegressionEngine.JudgeFamily).
            var applies = k > 1 && held.Count < merged.Count && merged.Take(held.Count).SequenceEqual(held);
            Assert.Equal(applies ? held.Count : 0, resumed.VersionsResumed);
            resumes += resumed.VersionsResumed > 0 ? 1 : 0;

            // More runs of the newest version arrive (a new execution of it): judged from the new checkpoint, only the newest again.
            var more = WithMoreRunsOfTheNewest(input, merged[^1], seed * 1000 + k);
            var again = _engine.AnalyzeResumable(more, resumed.Checkpoint);
            AssertSame(_engine.Analyze(more), again.Verdicts);
            Assert.Equal(merged.Count - 1, again.VersionsResumed);
            Assert.Equal(merged.Count - 1, again.Checkpoint.Versions);
            checkpoint = again.Checkpoint;
            held = merged.Take(merged.Count - 1).ToList();
        }

        Assert.True(resumes > 0 || order.Count < 3);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_changed_prefix_is_judged_from_scratch_and_gives_the_same_verdicts(int seed)
    {
        var history = RandomHistory(seed);
        var order = history.SelectMany(s => s.Versions.Select(v => v.Version)).Distinct().OrderBy(int.Parse).ToList();
        var k = order.Count - 1;
        var checkpoint = _engine.AnalyzeResumable(Upto(history, order, k)).Checkpoint;
        var random = new Random(seed);
        var full = Upto(history, order, order.Count);
        var older = order[random.Next(k - 1)];

        // A new execution of an older version: one more run in one series.
        var holder = full.FindIndex(s => s.Versions.Any(v => v.Version == older));
        var moreOfAnOlder = full.Select((s, i) => i == holder && s.Versions.Any(v => v.Version == older)
            ? s with { Versions = [.. s.Versions.Select(v => v.Version == older ? v with { Runs = [.. v.Runs ?? Observations.RunsFromItems(v.Items!), 1.0] } : v)] }
            : s).ToList();
        // A late older version: a version first seen before the checkpoint's newest, in a new place in the order.
        var late = full.Select(s => s with { Versions = [.. s.Versions.Take(1), s.Versions[0] with { Version = "late" }, .. s.Versions.Skip(1)] }).ToList();
        // Another threshold for one metric (a suite's own).
        var threshold = full.Select((s, i) => i == 1 ? s with { Metric = s.Metric with { Threshold = s.Metric.Threshold * 2 } } : s).ToList();
        // A series gone, and a new one that has an older version.
        var gone = full.Skip(1).ToList();
        var newcomer = full.Append(full[0] with { Id = "newcomer" }).ToList();
        // Another engine option.
        var options = new RegressionEngine(new RegressionEngineOptions { MaxBaselineRuns = 30 });

        foreach (var changed in new[] { moreOfAnOlder, late, threshold, gone, newcomer })
        {
            var resumed = _engine.AnalyzeResumable(changed, checkpoint);
            Assert.Equal(0, resumed.VersionsResumed);
            AssertSame(_engine.Analyze(changed), resumed.Verdicts);
        }

        var other = options.AnalyzeResumable(full, checkpoint);
        Assert.Equal(0, other.VersionsResumed);
        AssertSame(options.Analyze(full), other.Verdicts);

        // Unchanged: resumed.
        var same = _engine.AnalyzeResumable(full, checkpoint);
        Assert.Equal(k - 1, same.VersionsResumed);
        AssertSame(_engine.Analyze(full), same.Verdicts);
    }

    [Fact]
    public void A_new_series_whose_first_version_is_the_newest_is_judged_from_the_checkpoint()
    {
        var history = RandomHistory(7);
        var order = history.SelectMany(s => s.Versions.Select(v => v.Version)).Distinct().OrderBy(int.Parse).ToList();
        var checkpoint = _engine.AnalyzeResumable(Upto(history, order, order.Count - 1)).Checkpoint;
        var random = new Random(7);
        var input = Upto(history, order, order.Count)
            .Append(new SeriesInput("new benchmark", "agent", Latency, [new VersionSample(order[^1], LogNormalRuns(random, 200, 0.1, 5))]))
            .ToList();

        var resumed = _engine.AnalyzeResumable(input, checkpoint);

        Assert.Equal(order.Count - 2, resumed.VersionsResumed);
        AssertSame(_engine.Analyze(input), resumed.Verdicts);
    }

    /// <summary>
    /// One agent's family: 3 to 6 series of 4 to 40 versions, each missing some versions; latency and cost runs with level
    /// shifts, a drift and single-version outliers; error rate as runs; accuracy as items (some versions with runs too).
    /// A seed in four is a two-version family.
    /// </summary>
    private static List<SeriesInput> RandomHistory(int seed)
    {
        var random = new Random(seed);
        var versions = seed % 4 == 0 ? 2 : 4 + random.Next(37);
        var series = new List<SeriesInput>();
        var count = 3 + random.Next(4);
        for (var s = 0; s < count; s++)
        {
            var kind = s % 4;
            var metric = kind switch { 0 => Latency, 1 => Accuracy, 2 => ErrorRate, _ => Cost };
            var shiftAt = 1 + random.Next(Math.Max(1, versions - 1));
            var shift = random.NextDouble() < 0.6 ? 0.05 + 0.3 * random.NextDouble() : 0;
            var drift = random.NextDouble() < 0.3 ? 0.01 : 0;
            var items = Enumerable.Range(0, 8 + random.Next(20)).Select(_ => 0.3 + 0.6 * random.NextDouble()).ToArray();
            var samples = new List<VersionSample>();
            for (var v = 0; v < versions; v++)
            {
                // The first and last versions are in every series sometimes, others missing one time in six.
                if (v > 0 && random.Next(6) == 0 && samples.Count > 0)
                {
                    continue;
                }

                var outlier = random.Next(12) == 0 ? 1.5 : 1.0;
                var level = (1 + (v >= shiftAt ? shift : 0) + drift * v) * outlier;
                var runs = 1 + random.Next(6);
                samples.Add(kind switch
                {
                    0 => new VersionSample(Name(v), LogNormalRuns(random, 100 * level, 0.05 + 0.1 * random.NextDouble(), runs)),
                    3 => new VersionSample(Name(v), LogNormalRuns(random, 0.01 * level, 0.05, runs)),
                    2 => new VersionSample(Name(v), [.. Enumerable.Range(0, runs).Select(_ => Math.Clamp(0.02 * level + 0.01 * Gaussian(random), 0, 1))]),
                    _ => AccuracySample(random, Name(v), items, v >= shiftAt ? shift / 2 : 0, runs),
                });
            }

            series.Add(new SeriesInput($"b{s}/{metric.Name}", "agent", metric, samples));
        }

        return series;
    }

    private static VersionSample AccuracySample(Random random, string version, double[] items, double drop, int runs)
    {
        var outcomes = Enumerable.Range(0, items.Length).ToDictionary(
            i => "item-" + i,
            i => (IReadOnlyList<double>)[.. Enumerable.Range(0, runs).Select(_ => random.NextDouble() < Math.Clamp(items[i] - drop, 0, 1) ? 1.0 : 0.0)]);
        // The service gives accuracy as per-pass runs and items; a history may also hold items alone.
        return random.Next(2) == 0 ? new VersionSample(version, Items: outcomes) : new VersionSample(version, [.. Observations.RunsFromItems(outcomes)], outcomes);
    }

    /// <summary>The family's versions as the engine merges them from its series' orders.</summary>
    private static List<string> MergedOrder(List<SeriesInput> input)
    {
        var order = new List<string>();
        foreach (var series in input)
        {
            var after = -1;
            foreach (var version in series.Versions.Select(v => v.Version))
            {
                var at = order.IndexOf(version);
                if (at < 0)
                {
                    order.Insert(at = after + 1, version);
                }

                after = Math.Max(after, at);
            }
        }

        return order;
    }

    /// <summary>The family as it stood when the first <paramref name="k"/> versions had arrived (series without any left out).</summary>
    private static List<SeriesInput> Upto(List<SeriesInput> history, List<string> order, int k)
    {
        var arrived = order.Take(k).ToHashSet();
        return history.Select(s => s with { Versions = [.. s.Versions.Where(v => arrived.Contains(v.Version))] })
            .Where(s => s.Versions.Count > 0)
            .ToList();
    }

    /// <summary>Every series holding <paramref name="newest"/> gets more runs (and item outcomes) of it.</summary>
    private static List<SeriesInput> WithMoreRunsOfTheNewest(List<SeriesInput> input, string newest, int seed)
    {
        var random = new Random(seed);
        return input.Select(s => s with
        {
            Versions = [.. s.Versions.Select(v => v.Version != newest ? v : new VersionSample(
                v.Version,
                v.Runs is null ? null : [.. v.Runs, .. v.Runs.Take(2).Select(r => r * (1 + 0.05 * Gaussian(random)))],
                v.Items?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)[.. kv.Value, random.Next(2)])))],
        }).ToList();
    }

    /// <summary>Every field of every verdict, alerts included, equal (doubles bit for bit: records compare them with Equals).</summary>
    private static void AssertSame(IReadOnlyList<SeriesVerdict> expected, IReadOnlyList<SeriesVerdict> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Alerts, actual[i].Alerts);
            Assert.Equal(expected[i] with { Alerts = [] }, actual[i] with { Alerts = [] });
        }
    }
}
