using BenchMesh.Statistics.Procedures;

namespace BenchMesh.Statistics.Engine;

/// <summary>Which test produced a comparison's p-values.</summary>
public enum TestKind
{
    MannWhitney,
    WelchOnLogs,
    McNemar,
    PairedT,

    /// <summary>Student's t on per-batch (per-version) means, when the baseline's versions show a batch effect.</summary>
    BatchMeans,

    /// <summary>The exact item-stratified test (<see cref="ItemStratified"/>): binary outcomes, several attempts per item.</summary>
    ItemStratified,
}

/// <summary>
/// Candidate against baseline on one metric, direction-aware: <see cref="PWorse"/> is the one-sided p-value of
/// "the candidate is worse", <see cref="Worsening"/> how much worse it is in the metric's effect unit (positive =
/// worse; relative on the log scale, points on the proportion scale). <see cref="Effect"/> is the raw effect with
/// its interval (candidate vs baseline, not direction-adjusted). <see cref="Floor"/> is the smallest one-sided
/// p-value the test can produce at these sample sizes; <see cref="Sigma"/> the noise the test saw, in the test's
/// units, from which <see cref="MinimumDetectableEffect"/> follows.
/// </summary>
public sealed record Comparison(
    TestKind Test,
    double PWorse,
    double PBetter,
    double Worsening,
    EffectInterval Effect,
    double Floor,
    int CandidateCount,
    int BaselineCount,
    double Sigma,
    double MinimumDetectableEffect)
{
    /// <summary>
    /// The misrate the effect interval actually has: the one asked for (<see cref="Comparator.IntervalMisrate"/> unless
    /// the caller decides one-sided at another level), or more when the samples
    /// are too small for a distribution-free interval that tight (3 runs against 3: [min, max] of the differences, 10 %).
    /// </summary>
    public double EffectMisrate { get; init; } = Comparator.IntervalMisrate;

    /// <summary>
    /// What <see cref="CandidateCount"/> and <see cref="BaselineCount"/> count: the items both sides saw for the paired
    /// tests, runs (or batches) otherwise; for the texts that quote them.
    /// </summary>
    public string CountUnit => Test is TestKind.McNemar or TestKind.PairedT or TestKind.ItemStratified ? "items" : "runs";
}

/// <summary>
/// Compares a candidate's observations with a baseline's, choosing the test by the metric's scale and the data:
/// <list type="bullet">
/// <item>per-item outcomes on both sides (accuracy, reliability): a paired test on the items both saw — exact
/// McNemar with one binary outcome per item on each side, otherwise a paired t on per-item success fractions;</item>
/// <item>per-run values on the log scale (latency, cost): the exact Mann-Whitney test on log values with a
/// Hodges-Lehmann ratio interval, or Welch's t on logs when both sides have the same number of runs (≥ 5) and no
/// run is an outlier (its conditions hold, and it is the more powerful test there);</item>
/// <item>per-run values on the proportion or linear scale: Mann-Whitney with a Hodges-Lehmann shift interval.</item>
/// </list>
/// </summary>
public static class Comparator
{
    /// <summary>Two-sided misrate of the reported effect intervals (0.05 = 95 %).</summary>
    public const double IntervalMisrate = 0.05;

    /// <summary>Below this many items in common, pairing is not attempted (a paired t needs 2 degrees of freedom to say anything).</summary>
    public const int MinimumPairedItems = 3;

    /// <param name="batchEvidence">
    /// Optional: more batches from the baseline's population (a history's whole stable segment, of which the baseline
    /// is the newest part). They only serve to see and size a batch effect — more versions make the test for one far
    /// more powerful than the capped baseline alone — while the location is still judged against <paramref name="baseline"/>.
    /// </param>
    /// <param name="intervalMisrate">
    /// The two-sided misrate of the effect interval: <see cref="IntervalMisrate"/> (95 %) by default. A one-sided decision at
    /// level α reports 2α (0.10 for α = 0.05: its bounds are the one-sided 95 % bounds the decision is taken at), so that the
    /// verdict and the interval cannot disagree.
    /// </param>
    /// <param name="itemsFixed">
    /// True to treat the items as the benchmark itself rather than a sample of possible items (the regression engine's
    /// question: did this agent get worse on this suite?): binary outcomes with several attempts per item then go to the
    /// exact item-stratified test instead of the paired t. The head-to-head of two agents keeps the paired t.
    /// </param>
    public static Comparison Compare(
        MetricDefinition metric, Observations candidate, Observations baseline, double alpha, double power = 0.8, Observations? batchEvidence = null, bool itemsFixed = false,
        double intervalMisrate = IntervalMisrate)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        if (candidate.Items is { } candidateItems && baseline.Items is { } baselineItems
            && TryPaired(metric, candidateItems, baselineItems, alpha, power, itemsFixed, intervalMisrate) is { } paired)
        {
            return paired;
        }

        var comparison = Unpaired(metric, candidate.RunValues(), baseline.RunValues(), alpha, power, intervalMisrate);
        return BatchEffectAdjusted(metric, comparison, candidate, baseline, batchEvidence ?? baseline, alpha, power, intervalMisrate);
    }

    /// <summary>Below this p-value, a side's batches differ by more than their runs' noise explains (one-way ANOVA within sides).</summary>
    public const double BatchEffectLevel = 0.1;

    /// <summary>
    /// Runs of one version are not independent when each version's batch has its own offset (a run-level effect:
    /// testbed, time of day, a provider's load). When the baseline's population of batches (<paramref name="evidence"/>)
    /// and the candidate's differ among themselves by more than their runs' noise explains (one-way ANOVA within sides,
    /// p &lt; <see cref="BatchEffectLevel"/>), a run-level test would mistake a batch's offset for a change; the test, the
    /// effect and its interval then come from the batches' means instead: Student's t of the candidate's batch means
    /// against the baseline's, with the pooled spread of batch means within each side (its degrees of freedom from every
    /// batch of the evidence). A re-run of the candidate is a batch of its own, so even a short history can reveal one.
    /// </summary>
    private static Comparison BatchEffectAdjusted(
        MetricDefinition metric, Comparison comparison, Observations candidate, Observations baseline, Observations evidence, double alpha, double power, double intervalMisrate)
    {
        if (comparison.Test is TestKind.McNemar or TestKind.PairedT or TestKind.ItemStratified)
        {
            return comparison;
        }

        var log = metric.Scale == MetricScale.Log
            && candidate.RunValues().All(v => v > 0) && baseline.RunValues().All(v => v > 0) && evidence.RunValues().All(v => v > 0);
        double[] Transform(double[] batch) => log ? batch.Select(v => Math.Log(v)).ToArray() : batch;
        var baselineBatches = baseline.Batches().Select(Transform).Where(b => b.Length >= 2).ToList();
        var evidenceBatches = evidence.Batches().Select(Transform).Where(b => b.Length >= 2).ToList();
        var candidateBatches = candidate.Batches().Select(Transform).Where(b => b.Length >= 2).ToList();
        // Between-batch spread within each side (each side around its own mean), against the runs' spread within batches.
        var batchDegrees = Math.Max(0, evidenceBatches.Count - 1) + Math.Max(0, candidateBatches.Count - 1);
        if (batchDegrees < 1 || baselineBatches.Count == 0 || candidateBatches.Count == 0)
        {
            return comparison;
        }

        var all = evidenceBatches.Concat(candidateBatches).ToList();
        var within = all.Sum(b => SumOfSquares(b));
        var withinDegrees = all.Sum(b => b.Length - 1);
        var between = SideBetween(evidenceBatches) + SideBetween(candidateBatches);
        if (within <= 0 || withinDegrees <= 0)
        {
            return comparison;
        }

        var f = between / batchDegrees / (within / withinDegrees);
        if (1 - MathNet.Numerics.Distributions.FisherSnedecor.CDF(batchDegrees, withinDegrees, f) >= BatchEffectLevel)
        {
            return comparison;
        }

        var evidenceMeans = evidenceBatches.Select(b => b.Average()).ToArray();
        var baselineMeans = baselineBatches.Select(b => b.Average()).ToArray();
        var candidateMeans = candidateBatches.Select(b => b.Average()).ToArray();
        var spread = Math.Sqrt((SumOfSquares(evidenceMeans) + SumOfSquares(candidateMeans)) / batchDegrees);
        var standardError = spread * Math.Sqrt(1.0 / candidateMeans.Length + 1.0 / baselineMeans.Length);
        var difference = candidateMeans.Average() - baselineMeans.Average();
        var t = difference / standardError;
        var dof = batchDegrees;
        var pGreater = MathNet.Numerics.Distributions.StudentT.CDF(0, 1, dof, -t);
        var pLess = MathNet.Numerics.Distributions.StudentT.CDF(0, 1, dof, t);
        var lowerIsBetter = metric.Direction == MetricDirection.LowerIsBetter;
        var mdeInTestUnits = Power.MinimumDetectableShift(spread, candidateMeans.Length, baselineMeans.Length, alpha, power);
        var half = MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, dof, 1 - intervalMisrate / 2) * standardError;
        var effect = log
            ? new EffectInterval(Math.Exp(difference) - 1, Math.Exp(difference - half) - 1, Math.Exp(difference + half) - 1)
            : new EffectInterval(difference, difference - half, difference + half);
        return comparison with
        {
            Test = TestKind.BatchMeans,
            PWorse = lowerIsBetter ? pGreater : pLess,
            PBetter = lowerIsBetter ? pLess : pGreater,
            Worsening = Worsening(effect.Estimate, log, lowerIsBetter),
            Effect = effect,
            EffectMisrate = intervalMisrate,
            Floor = 0,
            Sigma = spread,
            MinimumDetectableEffect = log ? Math.Exp(mdeInTestUnits) - 1 : mdeInTestUnits,
        };
    }

    /// <summary>Σ nᵦ·(batch mean − side mean)² over one side's batches.</summary>
    private static double SideBetween(List<double[]> batches)
    {
        if (batches.Count < 2)
        {
            return 0;
        }

        var mean = batches.SelectMany(b => b).Average();
        return batches.Sum(b => b.Length * Math.Pow(b.Average() - mean, 2));
    }

    private static double SumOfSquares(double[] values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean));
    }

    private static Comparison Unpaired(MetricDefinition metric, double[] candidateRuns, double[] baselineRuns, double alpha, double power, double intervalMisrate)
    {
        if (candidateRuns.Length == 0 || baselineRuns.Length == 0)
        {
            throw new ArgumentException("Both sides need at least one run.");
        }

        var log = metric.Scale == MetricScale.Log && candidateRuns.All(v => v > 0) && baselineRuns.All(v => v > 0);
        var x = log ? candidateRuns.Select(v => Math.Log(v)).ToArray() : candidateRuns;
        var y = log ? baselineRuns.Select(v => Math.Log(v)).ToArray() : baselineRuns;
        var lowerIsBetter = metric.Direction == MetricDirection.LowerIsBetter;

        var mwu = MannWhitney.Test(x, y);
        var shift = HodgesLehmann.Shift(x, y, intervalMisrate);
        var sigma = PooledSd(x, y);
        double pWorse = lowerIsBetter ? mwu.PGreater : mwu.PLess;
        double pBetter = lowerIsBetter ? mwu.PLess : mwu.PGreater;
        var test = TestKind.MannWhitney;
        var floor = mwu.MinimumOneSidedP;

        if (log && x.Length == y.Length && x.Length >= 5 && !HasOutliers(x) && !HasOutliers(y))
        {
            var welch = Welch.Test(x, y);
            pWorse = lowerIsBetter ? welch.PGreater : welch.PLess;
            pBetter = lowerIsBetter ? welch.PLess : welch.PGreater;
            test = TestKind.WelchOnLogs;
            floor = 0;
        }

        // The Mann-Whitney test is about 95 % as efficient as the t-test under normal noise (ARE 3/π): its MDE is
        // the t-test's divided by √0.955.
        var mdeInTestUnits = Power.MinimumDetectableShift(sigma, x.Length, y.Length, alpha, power) / (test == TestKind.MannWhitney ? Math.Sqrt(3 / Math.PI) : 1);
        EffectInterval effect;
        double mde;
        if (log)
        {
            effect = new EffectInterval(Math.Exp(shift.Estimate) - 1, Math.Exp(shift.Lower) - 1, Math.Exp(shift.Upper) - 1);
            mde = Math.Exp(mdeInTestUnits) - 1;
        }
        else
        {
            effect = new EffectInterval(shift.Estimate, shift.Lower, shift.Upper);
            mde = mdeInTestUnits;
        }

        return new Comparison(test, pWorse, pBetter, Worsening(effect.Estimate, log, lowerIsBetter), effect, floor, x.Length, y.Length, sigma, mde)
        {
            EffectMisrate = shift.Misrate,
        };
    }

    /// <summary>How much worse an effect estimate is, in the metric's effect unit (positive = worse).</summary>
    private static double Worsening(double estimate, bool log, bool lowerIsBetter) => (log, lowerIsBetter) switch
    {
        (_, true) => estimate,
        // Higher is better on a log scale (throughput): a fall from 100 to 80 is 25 % worse, not 20 %.
        (true, false) => 1 / (1 + estimate) - 1,
        _ => -estimate,
    };

    private static Comparison? TryPaired(
        MetricDefinition metric,
        IReadOnlyDictionary<string, IReadOnlyList<double>> candidate,
        IReadOnlyDictionary<string, IReadOnlyList<double>> baseline,
        double alpha,
        double power,
        bool itemsFixed,
        double intervalMisrate)
    {
        var common = candidate.Keys.Where(id => baseline.ContainsKey(id) && candidate[id].Count > 0 && baseline[id].Count > 0).ToList();
        if (common.Count < MinimumPairedItems)
        {
            return null;
        }

        var lowerIsBetter = metric.Direction == MetricDirection.LowerIsBetter;
        var singleBinary = common.All(id => candidate[id].Count == 1 && baseline[id].Count == 1 && IsBinary(candidate[id][0]) && IsBinary(baseline[id][0]));
        var differences = common.Select(id => candidate[id].Average() - baseline[id].Average()).ToArray();
        var meanDifference = differences.Average();
        var sd = differences.Length > 1 ? StandardDeviation(differences) : 0;
        var mde = Power.MinimumDetectablePairedShift(sd > 0 ? sd : 1.0 / Math.Sqrt(differences.Length), differences.Length, alpha, power);

        if (singleBinary)
        {
            var baselineOnly = common.Count(id => baseline[id][0] == 1 && candidate[id][0] == 0);
            var candidateOnly = common.Count(id => baseline[id][0] == 0 && candidate[id][0] == 1);
            var mcnemar = McNemar.Exact(baselineOnly, candidateOnly);
            // "Worse" for a higher-is-better proportion is losing items the baseline got right.
            var pWorse = lowerIsBetter ? mcnemar.PCandidateBetter : mcnemar.PCandidateWorse;
            var pBetter = lowerIsBetter ? mcnemar.PCandidateWorse : mcnemar.PCandidateBetter;
            var interval = NormalInterval(meanDifference, sd / Math.Sqrt(differences.Length), intervalMisrate);
            return new Comparison(TestKind.McNemar, pWorse, pBetter, lowerIsBetter ? meanDifference : -meanDifference,
                interval, Math.Pow(0.5, Math.Max(1, baselineOnly + candidateOnly)), differences.Length, differences.Length, sd, mde)
            { EffectMisrate = intervalMisrate };
        }

        if (itemsFixed && !singleBinary && common.All(id => candidate[id].All(IsBinary) && baseline[id].All(IsBinary)))
        {
            return ItemStratifiedComparison(common.Select(id => (candidate[id], baseline[id])).ToList(), meanDifference, lowerIsBetter, alpha, power, intervalMisrate);
        }

        if (sd == 0)
        {
            // Every pair moved by exactly the same amount (often: none moved). The t statistic is 0/0 or ±∞; the answer is not in doubt.
            var worse = lowerIsBetter ? meanDifference > 0 : meanDifference < 0;
            var better = meanDifference != 0 && !worse;
            return new Comparison(TestKind.PairedT, worse ? 0 : 1, better ? 0 : 1, lowerIsBetter ? meanDifference : -meanDifference,
                new EffectInterval(meanDifference, meanDifference, meanDifference), 0, differences.Length, differences.Length, 0, mde)
            { EffectMisrate = intervalMisrate };
        }

        var t = PairedTests.PairedT(differences);
        var tInterval = new EffectInterval(
            t.Estimate,
            t.Estimate - StudentQuantile(t.DegreesOfFreedom, intervalMisrate) * t.StandardError,
            t.Estimate + StudentQuantile(t.DegreesOfFreedom, intervalMisrate) * t.StandardError);
        return new Comparison(TestKind.PairedT,
            lowerIsBetter ? t.PGreater : t.PLess,
            lowerIsBetter ? t.PLess : t.PGreater,
            lowerIsBetter ? t.Estimate : -t.Estimate,
            tInterval, 0, differences.Length, differences.Length, sd, mde)
        { EffectMisrate = intervalMisrate };
    }

    /// <summary>
    /// The exact item-stratified test with the effect as the mean over items of the change in success fraction. Its
    /// standard error sums each item's binomial variance with the item's success rate pooled over both sides (the test's
    /// own variance, Mantel-Haenszel's): an item answered alike in every attempt of both versions adds none, so two
    /// versions that agree item by item have an interval of exactly 0, as a paired t with no spread had.
    /// </summary>
    private static Comparison ItemStratifiedComparison(
        List<(IReadOnlyList<double> Candidate, IReadOnlyList<double> Baseline)> items, double meanDifference, bool lowerIsBetter, double alpha, double power, double intervalMisrate)
    {
        var counts = items.Select(i => new ItemCounts((int)i.Candidate.Sum(), i.Candidate.Count, (int)i.Baseline.Sum(), i.Baseline.Count)).ToList();
        var test = ItemStratified.Exact(counts);
        static double Variance(ItemCounts c)
        {
            var p = (c.CandidateSuccesses + c.BaselineSuccesses) / (double)(c.CandidateAttempts + c.BaselineAttempts);
            return p * (1 - p) * (1.0 / c.CandidateAttempts + 1.0 / c.BaselineAttempts);
        }

        var m = counts.Count;
        var standardError = Math.Sqrt(counts.Sum(Variance)) / m;
        // Sigma as the standard deviation of one item's difference, so that MDEs and run suggestions read as for the paired t.
        var sigma = standardError * Math.Sqrt(m);
        var pWorse = lowerIsBetter ? test.PCandidateBetter : test.PCandidateWorse;
        var pBetter = lowerIsBetter ? test.PCandidateWorse : test.PCandidateBetter;
        return new Comparison(TestKind.ItemStratified, pWorse, pBetter, lowerIsBetter ? meanDifference : -meanDifference,
            NormalInterval(meanDifference, standardError, intervalMisrate), test.Floor, m, m, sigma, Power.MinimumDetectablePairedShift(sigma, m, alpha, power))
        { EffectMisrate = intervalMisrate };
    }

    private static double StudentQuantile(double degreesOfFreedom, double misrate) =>
        MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, degreesOfFreedom, 1 - misrate / 2);

    private static EffectInterval NormalInterval(double estimate, double standardError, double misrate)
    {
        var z = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 1 - misrate / 2);
        return new EffectInterval(estimate, estimate - z * standardError, estimate + z * standardError);
    }

    private static bool IsBinary(double value) => value is 0 or 1;

    private static bool HasOutliers(double[] values) => values.Length >= 5 && Outliers.GeneralizedEsd(values, Math.Max(1, values.Length / 5)).Count > 0;

    /// <summary>The pooled within-group standard deviation; a single value per side gives no spread, so 0.</summary>
    private static double PooledSd(double[] x, double[] y)
    {
        var dof = x.Length - 1 + (y.Length - 1);
        if (dof <= 0)
        {
            return 0;
        }

        var ssx = x.Length > 1 ? Math.Pow(StandardDeviation(x), 2) * (x.Length - 1) : 0;
        var ssy = y.Length > 1 ? Math.Pow(StandardDeviation(y), 2) * (y.Length - 1) : 0;
        return Math.Sqrt((ssx + ssy) / dof);
    }

    internal static double StandardDeviation(double[] values) =>
        values.Length < 2 ? 0 : Math.Sqrt(Welch.Moments(values).Variance);
}

/// <summary>An item's outcome recorded as [successes, attempts], as per-attempt values: 1 for a success, 0 for a failure.</summary>
public static class ItemOutcomes
{
    /// <summary>The attempts as 1s and 0s; null when the pair is not a valid [successes, attempts].</summary>
    public static IEnumerable<double>? Expand(int[] outcome) =>
        outcome is [var successes, var attempts] && attempts > 0 && successes >= 0 && successes <= attempts
            ? Enumerable.Repeat(1.0, successes).Concat(Enumerable.Repeat(0.0, attempts - successes))
            : null;
}

/// <summary>
/// Observations pooled from one or more versions: per-run values, and per-item outcomes by item id where the
/// metric has them. Runs derive from items when only items were given (run r = the mean of every item's r-th outcome).
/// </summary>
public sealed class Observations
{
    private readonly List<double> _runs = [];
    private readonly List<int> _batchSizes = [];
    private Dictionary<string, List<double>>? _items;

    public IReadOnlyDictionary<string, IReadOnlyList<double>>? Items =>
        _items?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value, StringComparer.Ordinal);

    public int RunCount => _runs.Count;

    public static Observations Of(IEnumerable<VersionSample> samples)
    {
        var observations = new Observations();
        foreach (var sample in samples)
        {
            observations.Add(sample);
        }

        return observations;
    }

    public void Add(VersionSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Runs is { Count: > 0 } runs)
        {
            AddRuns(runs);
        }
        else if (sample.Items is { Count: > 0 } items)
        {
            AddRuns(RunsFromItems(items));
        }

        if (sample.Items is { Count: > 0 } sampleItems)
        {
            AddItems(sampleItems.Select(kv => (kv.Key, (IEnumerable<double>)kv.Value)));
        }
    }

    /// <summary>Adds one batch of runs (a version's runs, or a re-run of it): runs of one batch share its testbed and moment.</summary>
    public void AddRuns(IEnumerable<double> runs)
    {
        var before = _runs.Count;
        _runs.AddRange(runs);
        if (_runs.Count > before)
        {
            _batchSizes.Add(_runs.Count - before);
        }
    }

    /// <summary>The runs, batch by batch.</summary>
    public IEnumerable<double[]> Batches()
    {
        var start = 0;
        foreach (var size in _batchSizes)
        {
            yield return _runs.GetRange(start, size).ToArray();
            start += size;
        }
    }

    /// <summary>Adds everything <paramref name="other"/> holds.</summary>
    public void Merge(Observations other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _runs.AddRange(other._runs);
        _batchSizes.AddRange(other._batchSizes);
        if (other._items is not null)
        {
            AddItems(other._items.Select(kv => (kv.Key, (IEnumerable<double>)kv.Value)));
        }
    }

    private void AddItems(IEnumerable<(string Id, IEnumerable<double> Outcomes)> items)
    {
        _items ??= new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var (id, outcomes) in items)
        {
            if (!_items.TryGetValue(id, out var list))
            {
                _items[id] = list = [];
            }

            list.AddRange(outcomes);
        }
    }

    public double[] RunValues() => [.. _runs];

    /// <summary>Run r's value: the mean of the r-th outcome of every item that has one.</summary>
    public static IEnumerable<double> RunsFromItems(IReadOnlyDictionary<string, IReadOnlyList<double>> items)
    {
        var runs = items.Values.Max(v => v.Count);
        for (var r = 0; r < runs; r++)
        {
            var sum = 0.0;
            var count = 0;
            foreach (var outcomes in items.Values)
            {
                if (r < outcomes.Count)
                {
                    sum += outcomes[r];
                    count++;
                }
            }

            yield return sum / count;
        }
    }
}
