using BenchMesh.Statistics.Engine;

namespace BenchMesh.Statistics.Tests.Engine;

/// <summary>Seeded series for the engine's tests: log-normal runs around a level, Bernoulli item outcomes.</summary>
public static class EngineTestData
{
    public static readonly MetricDefinition Latency = MetricRegistry.Default.Get(MetricRegistry.LatencyMs);
    public static readonly MetricDefinition Accuracy = MetricRegistry.Default.Get(MetricRegistry.Accuracy);

    public static double[] LogNormalRuns(Random random, double level, double cv, int n)
    {
        var sigma = Math.Sqrt(Math.Log(1 + cv * cv));
        return Enumerable.Range(0, n).Select(_ => level * Math.Exp(sigma * Gaussian(random) - sigma * sigma / 2)).ToArray();
    }

    /// <summary>Versions "1".."count" of a latency series; <paramref name="levelOf"/> gives each version's true level.</summary>
    public static SeriesInput LatencySeries(string id, int seed, int count, int runs, Func<int, double> levelOf, double cv = 0.1, string? family = null)
    {
        var random = new Random(seed);
        var versions = Enumerable.Range(0, count)
            .Select(v => new VersionSample(Name(v), LogNormalRuns(random, levelOf(v), cv, runs)))
            .ToList();
        return new SeriesInput(id, family, Latency, versions);
    }

    /// <summary>Two versions answering the same items; item i's chance of success is p_i, lowered by <paramref name="drop"/> in the second.</summary>
    public static SeriesInput AccuracySeries(string id, int seed, int items, int runsPerItem, double drop)
    {
        var random = new Random(seed);
        var difficulty = Enumerable.Range(0, items).Select(_ => 1.0 / (1 + Math.Exp(-(1 + 1.5 * Gaussian(random))))).ToArray();
        VersionSample Version(string name, double shift) => new(name, Items: Enumerable.Range(0, items).ToDictionary(
            i => "q" + i,
            i => (IReadOnlyList<double>)Enumerable.Range(0, runsPerItem).Select(_ => random.NextDouble() < Math.Clamp(difficulty[i] - shift, 0, 1) ? 1.0 : 0.0).ToArray()));
        return new SeriesInput(id, null, Accuracy, [Version("1.0", 0), Version("1.1", drop)]);
    }

    public static string Name(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
