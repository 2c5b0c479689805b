using BenchMesh.Statistics.Engine;

namespace BenchMesh.Regression.Evaluation;

/// <summary>Run-level noise models (section 3.1 of the notes): multiplicative noise around a version's level.</summary>
public enum NoiseModel
{
    Normal5,
    Normal10,
    Normal20,
    LogNormal10,
    LogNormal30,
    Bimodal,
    Outliers,
    Hierarchy,
}

/// <summary>What a history series holds besides its possible regression.</summary>
public enum Decoy
{
    None,
    EarlierImprovement,
    RevertingOutlier,
    SlowDrift,
    VarianceOnly,
}

/// <summary>
/// One labelled history: <see cref="ChangeAt"/> is the version index where the level rose by <see cref="Delta"/>
/// (null for a series with no regression). <see cref="Z"/> is the effect in standard errors of one version's mean,
/// ln(1 + δ)/(σ_log/√n).
/// </summary>
public sealed record HistoryTask(SeriesInput Series, NoiseModel Noise, int Runs, double Delta, int? ChangeAt, Decoy Decoy, double Z, int Seed)
{
    public bool Regressed => ChangeAt is not null;
}

/// <summary>
/// The seeded, deterministic corpus generator. Every series is a function of its own seed only, so the corpus is the
/// same on every machine and any series can be regenerated alone (the confirmation source does, to draw re-runs).
/// </summary>
public static class Corpus
{
    public const int Versions = 40;
    public const double BaseLevel = 100;
    public static readonly MetricDefinition Latency = MetricRegistry.Default.Get(MetricRegistry.LatencyMs);

    /// <summary>The level of version v: the base, times the regression from its version on, times the decoy's effect.</summary>
    public static double Level(HistoryTask task, int version) => Level(task.Delta, task.ChangeAt, task.Decoy, task.Seed, version, forRerun: false);

    /// <summary>The level a re-run of version v would see: a reverting outlier was a transient of the testbed, not of the version.</summary>
    public static double RerunLevel(HistoryTask task, int version) => Level(task.Delta, task.ChangeAt, task.Decoy, task.Seed, version, forRerun: true);

    private static double Level(double delta, int? changeAt, Decoy decoy, int seed, int version, bool forRerun)
    {
        var level = BaseLevel;
        if (changeAt is { } c && version >= c)
        {
            level *= 1 + delta;
        }

        var decoyAt = 6 + Math.Abs(seed) % 10; // versions 6..15: well before any regression (20..34)
        switch (decoy)
        {
            case Decoy.EarlierImprovement when version >= decoyAt:
                level *= 0.85;
                break;
            case Decoy.RevertingOutlier when version == decoyAt && !forRerun:
                level *= 1.30;
                break;
            case Decoy.SlowDrift:
                // 0.2 % a version: 8 % over the history, never 3 % between neighbours; not labelled a regression.
                level *= Math.Pow(1.002, version);
                break;
        }

        return level;
    }

    public static HistoryTask History(int seed, NoiseModel noise, int runs, double delta, bool regressed, Decoy decoy)
    {
        var random = new Random(seed);
        int? changeAt = regressed ? 20 + random.Next(15) : null;
        var task = new HistoryTask(null!, noise, runs, regressed ? delta : 0, changeAt, decoy, Z(noise, runs, delta), seed);
        var versions = new List<VersionSample>(Versions);
        for (var v = 0; v < Versions; v++)
        {
            var spread = decoy == Decoy.VarianceOnly && v >= 20 ? 2.0 : 1.0;
            versions.Add(new VersionSample((v + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Draw(random, noise, Level(task, v), runs, spread)));
        }

        return task with { Series = new SeriesInput($"h{seed}", null, Latency, versions) };
    }

    /// <summary>n runs around <paramref name="level"/> under a noise model; <paramref name="spread"/> scales the noise (variance-only changes).</summary>
    public static double[] Draw(Random random, NoiseModel noise, double level, int n, double spread = 1)
    {
        var runs = new double[n];
        // The hierarchy's run-level effect is shared by the runs of one version's batch: σ_b = 5 %, σ_e = 10 %.
        var batch = noise == NoiseModel.Hierarchy ? 0.05 * Gaussian(random) * spread : 0;
        for (var i = 0; i < n; i++)
        {
            var value = noise switch
            {
                NoiseModel.Normal5 => level * (1 + 0.05 * spread * Gaussian(random)),
                NoiseModel.Normal10 => level * (1 + 0.10 * spread * Gaussian(random)),
                NoiseModel.Normal20 => level * (1 + 0.20 * spread * Gaussian(random)),
                NoiseModel.LogNormal10 => level * LogNormal(random, 0.10 * spread),
                NoiseModel.LogNormal30 => level * LogNormal(random, 0.30 * spread),
                // 70/30 mixture, modes 25 % apart, each with 5 % noise.
                NoiseModel.Bimodal => level * (random.NextDouble() < 0.7 ? 1 : 1.25) * (1 + 0.05 * spread * Gaussian(random)),
                // CV 10 %, and 5 % of runs take three times as long.
                NoiseModel.Outliers => level * LogNormal(random, 0.10 * spread) * (random.NextDouble() < 0.05 ? 3 : 1),
                NoiseModel.Hierarchy => level * Math.Exp(batch + 0.10 * spread * Gaussian(random)),
                _ => throw new ArgumentOutOfRangeException(nameof(noise)),
            };
            runs[i] = Math.Max(value, level * 0.01);
        }

        return runs;
    }

    /// <summary>The standard deviation of one run's log value under each model (measured once from 200,000 draws, seed 1).</summary>
    public static double SigmaLog(NoiseModel noise) => SigmaCache.GetOrAdd(noise, model =>
    {
        var random = new Random(1);
        var values = Enumerable.Range(0, 20_000).SelectMany(_ => Draw(random, model, 1, 10)).Select(v => Math.Log(v)).ToArray();
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<NoiseModel, double> SigmaCache = new();

    public static double Z(NoiseModel noise, int runs, double delta) => Math.Log(1 + delta) / (SigmaLog(noise) / Math.Sqrt(runs));

    public static double LogNormal(Random random, double cv)
    {
        var sigma = Math.Sqrt(Math.Log(1 + cv * cv));
        return Math.Exp(sigma * Gaussian(random) - sigma * sigma / 2);
    }

    public static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

/// <summary>
/// Re-runs for the engine's confirmation path, drawn deterministically per (series, version, request) at the level a
/// re-run would see. Counts the runs it hands out.
/// </summary>
public sealed class RerunSource(IReadOnlyDictionary<string, HistoryTask> tasks) : IConfirmationSource
{
    private long _runs;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, int), int> _requests = new();

    public long Runs => Interlocked.Read(ref _runs);

    public IReadOnlyList<double>? MoreRuns(SeriesInput series, int versionIndex, int count)
    {
        var task = tasks[series.Id];
        var request = _requests.AddOrUpdate((series.Id, versionIndex), 1, (_, n) => n + 1);
        var random = new Random(unchecked(task.Seed * 1_000_003 + versionIndex * 1_009 + request * 7));
        Interlocked.Add(ref _runs, count);
        return Corpus.Draw(random, task.Noise, Corpus.RerunLevel(task, versionIndex), count);
    }
}
