using BenchMesh.Statistics.Engine;

namespace BenchMesh.Regression.Evaluation;

/// <summary>
/// Run-level noise models (section 3.1 of the notes): multiplicative noise around a version's level. The six
/// <c>RunItem</c> models are the notes' run + item hierarchy, log y = μ + a_item + b_run + e, for σ_b ∈ {2, 5, 10} %
/// and σ_e ∈ {10, 30} %: a run's value is the mean over its 50 items. <see cref="VersionBatch"/> goes beyond the notes:
/// the run-level offset is shared by all runs of one version (a testbed or day effect, σ_b 5 %, per-run σ 10 %), so a
/// version's runs are not independent and its mean has standard error √(σ_b² + σ²/n), not σ/√n.
/// </summary>
public enum NoiseModel
{
    Normal5,
    Normal10,
    Normal20,
    LogNormal10,
    LogNormal30,
    Bimodal,
    Outliers,
    RunItem2x10,
    RunItem5x10,
    RunItem10x10,
    RunItem2x30,
    RunItem5x30,
    RunItem10x30,
    VersionBatch,
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
/// ln(1 + δ)/(σ_log/√n) where runs are independent (ln(1 + δ)/√(σ_b² + σ²/n) for <see cref="NoiseModel.VersionBatch"/>).
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

    /// <summary>
    /// n runs around <paramref name="level"/> under a noise model; <paramref name="spread"/> scales the noise (variance-only
    /// changes). <paramref name="batchOffset"/>: the batch offset of <see cref="NoiseModel.VersionBatch"/> when the runs share
    /// one with others (an interleaved round); a fresh one is drawn otherwise.
    /// </summary>
    public static double[] Draw(Random random, NoiseModel noise, double level, int n, double spread = 1, double? batchOffset = null)
    {
        var runs = new double[n];
        if (RunItemSigmas(noise) is var (sigmaRun, sigmaItem))
        {
            for (var i = 0; i < n; i++)
            {
                runs[i] = Math.Max(level * RunOfItems(random, sigmaRun * spread, sigmaItem * spread), level * 0.01);
            }

            return runs;
        }

        // The batch offset is shared by the runs of one version (or of one re-run of it): σ_b = 5 %, per-run σ 10 %.
        var batch = noise == NoiseModel.VersionBatch ? batchOffset ?? VersionBatchSigma * Gaussian(random) * spread : 0;
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
                NoiseModel.VersionBatch => level * Math.Exp(batch + VersionBatchRunSigma * spread * Gaussian(random)),
                _ => throw new ArgumentOutOfRangeException(nameof(noise)),
            };
            runs[i] = Math.Max(value, level * 0.01);
        }

        return runs;
    }

    public const double VersionBatchSigma = 0.05;
    public const double VersionBatchRunSigma = 0.10;
    public const int ItemsPerRun = 50;

    /// <summary>The item effects a_item of the run + item models: one fixed set of 50 items (difficulty σ 0.5 in log), the same in every series.</summary>
    private static readonly double[] ItemWeights = ItemEffects();

    private static double[] ItemEffects()
    {
        var random = new Random(17);
        var weights = Enumerable.Range(0, ItemsPerRun).Select(_ => Math.Exp(0.5 * Gaussian(random))).ToArray();
        var total = weights.Sum();
        return weights.Select(w => w / total).ToArray();
    }

    /// <summary>(σ_b, σ_e) of a run + item model, in log units; null for the other models.</summary>
    public static (double Run, double Item)? RunItemSigmas(NoiseModel noise) => noise switch
    {
        NoiseModel.RunItem2x10 => (0.02, 0.10),
        NoiseModel.RunItem5x10 => (0.05, 0.10),
        NoiseModel.RunItem10x10 => (0.10, 0.10),
        NoiseModel.RunItem2x30 => (0.02, 0.30),
        NoiseModel.RunItem5x30 => (0.05, 0.30),
        NoiseModel.RunItem10x30 => (0.10, 0.30),
        _ => null,
    };

    /// <summary>One run's value (its mean latency over the items, relative to the level): Σ w_item·exp(b_run + e_item,run), each e centred so the run's expected value is the level.</summary>
    private static double RunOfItems(Random random, double sigmaRun, double sigmaItem)
    {
        var run = sigmaRun * Gaussian(random) - sigmaRun * sigmaRun / 2;
        var sum = 0.0;
        foreach (var weight in ItemWeights)
        {
            sum += weight * Math.Exp(sigmaItem * Gaussian(random) - sigmaItem * sigmaItem / 2);
        }

        return Math.Exp(run) * sum;
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

    /// <summary>
    /// The effect in standard errors of one version's mean. Where a version's runs share a batch offset, the offset does
    /// not average out over its runs: the standard error is √(σ_b² + σ²/n), and no test of one version can do better.
    /// </summary>
    public static double Z(NoiseModel noise, int runs, double delta) => noise == NoiseModel.VersionBatch
        ? Math.Log(1 + delta) / Math.Sqrt(VersionBatchSigma * VersionBatchSigma + VersionBatchRunSigma * VersionBatchRunSigma / runs)
        : Math.Log(1 + delta) / (SigmaLog(noise) / Math.Sqrt(runs));

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
/// Interleaved confirmation runs for the engine's confirmation path, made as the service's Runner makes them: in round r,
/// pairs of runs of the candidate then its baseline version (A B A B), each at the level a re-run of that version would
/// see. Under <see cref="NoiseModel.VersionBatch"/> the round's runs share one fresh batch offset — they are made one
/// after the other on one testbed at one moment, which is the point of interleaving — and every round draws its own.
/// Drawn deterministically per (series, candidate, round); counts the runs it hands out.
/// </summary>
public sealed class RerunSource(IReadOnlyDictionary<string, HistoryTask> tasks) : IConfirmationSource
{
    private long _runs;

    public long Runs => Interlocked.Read(ref _runs);

    public InterleavedRound? Interleave(SeriesInput series, int candidateIndex, int baselineIndex, int pairs, int passesPerRun, int round)
    {
        var task = tasks[series.Id];
        var random = new Random(unchecked(task.Seed * 1_000_003 + candidateIndex * 1_009 + round * 7));
        var offset = task.Noise == NoiseModel.VersionBatch ? Corpus.VersionBatchSigma * Corpus.Gaussian(random) : 0;
        var candidate = new List<IReadOnlyList<double>>();
        var baseline = new List<IReadOnlyList<double>>();
        for (var pair = 0; pair < pairs; pair++)
        {
            candidate.Add(Corpus.Draw(random, task.Noise, Corpus.RerunLevel(task, candidateIndex), passesPerRun, batchOffset: offset));
            baseline.Add(Corpus.Draw(random, task.Noise, Corpus.RerunLevel(task, baselineIndex), passesPerRun, batchOffset: offset));
        }

        Interlocked.Add(ref _runs, 2L * pairs * passesPerRun);
        return new InterleavedRound(candidate, baseline);
    }
}
