using System.Text.Json;
using BenchMesh.Statistics.Engine;

namespace BenchMesh.Regression.Evaluation;

/// <summary>
/// One-shot comparisons scored at the verdict level, end to end: each pair of versions is written as <c>benchmesh
/// regress</c> input (JSON lines), read back through the CLI's parser (<see cref="SeriesJson"/>) and judged by the engine
/// with its defaults — what the CLI and the Regression service print. A pair is one benchmark's family of cells:
/// accuracy item by item, and latency, cost, tokens and error rate run by run, as the service builds it.
/// </summary>
public sealed class VerdictStudy(int seed, bool quick, IReadOnlyList<NoiseModel> latencyNoises)
{
    private static readonly MetricDefinition Accuracy = MetricRegistry.Default.Get(MetricRegistry.Accuracy);
    private static readonly MetricDefinition Cost = MetricRegistry.Default.Get(MetricRegistry.CostPerTaskUsd);
    private static readonly MetricDefinition Tokens = MetricRegistry.Default.Get(MetricRegistry.TokensPerTask);
    private static readonly MetricDefinition ErrorRate = MetricRegistry.Default.Get(MetricRegistry.ErrorRate);
    private readonly RegressionEngine _engine = new();

    public List<(string Goal, bool Met, string Measured)> Goals { get; } = [];

    public void Run()
    {
        AccuracyPairs();
        LatencyPairs();
        DemoLikeSuites();
    }

    /// <summary>Accuracy drops of 2 to 40 points on 8 to 300 items × 3 to 10 runs; the A/A column is the false-regression rate.</summary>
    private void AccuracyPairs()
    {
        var replicates = quick ? 40 : 200;
        var drops = new[] { 0.0, 0.02, 0.05, 0.10, 0.20, 0.40 };
        Console.WriteLine();
        Console.WriteLine($"One-shot verdicts, accuracy (two versions, the same items, difficulty logit ~ N(1, 1.5), {replicates} pairs a cell, the accuracy series");
        Console.WriteLine("  alone, one version against one as `benchmesh regress` takes it): share of pairs whose verdict is `regressed`; drop 0 = A/A");
        Console.WriteLine($"  {"items",5} {"runs",4} {string.Join(" ", drops.Select(d => d == 0 ? "   A/A" : $"{d * 100,4:F0} pt"))}");
        var aaRegressed = 0;
        var aaPairs = 0;
        foreach (var items in new[] { 8, 16, 50, 100, 300 })
        {
            foreach (var runs in new[] { 3, 5, 10 })
            {
                var cells = new List<string>();
                foreach (var drop in drops)
                {
                    var regressed = 0;
                    Parallel.For(0, replicates, r =>
                    {
                        var random = new Random(unchecked(seed * 31 + items * 1_009 + runs * 7_919 + (int)(drop * 1000) * 104_729 + r * 15_485_863));
                        var verdicts = JudgeAsTheCliDoes(Pair(random, items, runs, drop, latencyShift: 0, NoiseModel.LogNormal10).Take(1).ToList());
                        if (verdicts[0].Verdict == Verdict.Regressed)
                        {
                            Interlocked.Increment(ref regressed);
                        }
                    });

                    var rate = regressed / (double)replicates;
                    cells.Add($"{rate,6:F3}");
                    if (drop == 0)
                    {
                        aaRegressed += regressed;
                        aaPairs += replicates;
                    }

                    if (items == 300 && runs == 3 && drop == 0.05)
                    {
                        Goals.Add(("one-shot: accuracy 300 items × 3 runs, 5-point drop regressed in ≥ 0.80 of pairs", rate >= 0.80, $"{rate:F3}"));
                    }
                }

                Console.WriteLine($"  {items,5} {runs,4} {string.Join(" ", cells)}");
            }
        }

        var aa = aaRegressed / (double)aaPairs;
        Goals.Add(("one-shot: A/A accuracy pairs regressed in ≤ 5 %", aa <= 0.05, $"{aa:P2} of {aaPairs} pairs"));

        // The service's shape: the accuracy cell shares Benjamini-Hochberg with the benchmark's four other cells, which did
        // not move, so a lone change needs p ≤ 1 % to reach q ≤ 5 %.
        var inFamily = 0;
        Parallel.For(0, replicates, r =>
        {
            var random = new Random(unchecked(seed * 43 + r * 15_485_863));
            if (JudgeAsTheCliDoes(Pair(random, 300, 3, 0.05, latencyShift: 0, NoiseModel.LogNormal10))[0].Verdict == Verdict.Regressed)
            {
                Interlocked.Increment(ref inFamily);
            }
        });
        Console.WriteLine($"  300 items × 3 runs, 5-point drop, in a family of 5 cells (the service's shape, the other four unchanged): regressed in {inFamily / (double)replicates:F3} of pairs");
    }

    /// <summary>Latency shifts of 3 to 200 % on 3 to 10 runs a side, under each noise model of the mix.</summary>
    private void LatencyPairs()
    {
        var replicates = quick ? 40 : 150;
        var shifts = new[] { 0.0, 0.03, 0.10, 0.30, 1.00, 2.00 };
        Console.WriteLine();
        Console.WriteLine($"One-shot verdicts, latency (two versions, {replicates} pairs a cell, each a family of 5 cells with accuracy and the rest unchanged):");
        Console.WriteLine("  share of pairs whose latency verdict is `regressed`; shift 0 = A/A");
        Console.WriteLine($"  {"noise",-13} {"runs",4} {string.Join(" ", shifts.Select(s => s == 0 ? "   A/A" : $"{s * 100,5:F0}%"))}");
        var aaRegressed = 0;
        var aaPairs = 0;
        var large = (Regressed: 0, Pairs: 0);
        foreach (var noise in latencyNoises)
        {
            foreach (var runs in new[] { 3, 5, 10 })
            {
                var cells = new List<string>();
                foreach (var shift in shifts)
                {
                    var regressed = 0;
                    Parallel.For(0, replicates, r =>
                    {
                        var random = new Random(unchecked(seed * 37 + (int)noise * 1_009 + runs * 7_919 + (int)(shift * 100) * 104_729 + r * 15_485_863));
                        var verdicts = JudgeAsTheCliDoes(Pair(random, items: 20, runs, accuracyDrop: 0, shift, noise));
                        if (verdicts[1].Verdict == Verdict.Regressed)
                        {
                            Interlocked.Increment(ref regressed);
                        }
                    });

                    cells.Add($"{regressed / (double)replicates,6:F3}");
                    if (shift == 0)
                    {
                        aaRegressed += regressed;
                        aaPairs += replicates;
                    }

                    if (shift >= 0.30 && runs >= 5)
                    {
                        large = (large.Regressed + regressed, large.Pairs + replicates);
                    }
                }

                Console.WriteLine($"  {noise,-13} {runs,4} {string.Join(" ", cells)}");
            }
        }

        var aa = aaRegressed / (double)aaPairs;
        Goals.Add(("one-shot: A/A latency pairs regressed in ≤ 5 %", aa <= 0.05, $"{aa:P2} of {aaPairs} pairs"));
        var power = large.Regressed / (double)large.Pairs;
        Console.WriteLine($"  latency ≥ +30 % at ≥ 5 runs a side: regressed in {power:F3} of pairs");
    }

    /// <summary>
    /// The demo's shape: 8 items × 5 runs, items the baseline mostly gets right (logit ~ N(3, 1), about 93 %), 1.1 losing
    /// about 36 points of accuracy and taking about 170 % longer (its seeded regressions); and the same suite A/A. Judged
    /// first on the data at hand (the CLI, a CI gate), then as the service does: one round of confirmation runs of the
    /// candidate when a cell is undecided, pooled, and judged again at the one-shot level.
    /// </summary>
    private void DemoLikeSuites()
    {
        var replicates = quick ? 100 : 500;
        int bothFirst = 0, bothFinal = 0, accuracyFirst = 0, latencyFirst = 0, confirmedPairs = 0, extraRuns = 0;
        int falseFirst = 0, falseFinal = 0, undecidedFinal = 0;
        Parallel.For(0, replicates, r =>
        {
            var random = new Random(unchecked(seed * 41 + r * 15_485_863));
            var (first, final, extra) = AsTheServiceDoes(Pair(random, items: 8, runs: 5, accuracyDrop: 0.36, latencyShift: 1.7, NoiseModel.LogNormal30, difficulty: 3, reserve: ConfirmationLimit), runs: 5);
            Interlocked.Add(ref accuracyFirst, first[0].Verdict == Verdict.Regressed ? 1 : 0);
            Interlocked.Add(ref latencyFirst, first[1].Verdict == Verdict.Regressed ? 1 : 0);
            Interlocked.Add(ref bothFirst, first[0].Verdict == Verdict.Regressed && first[1].Verdict == Verdict.Regressed ? 1 : 0);
            Interlocked.Add(ref bothFinal, final[0].Verdict == Verdict.Regressed && final[1].Verdict == Verdict.Regressed ? 1 : 0);
            Interlocked.Add(ref confirmedPairs, extra > 0 ? 1 : 0);
            Interlocked.Add(ref extraRuns, extra);

            var aa = new Random(unchecked(seed * 47 + r * 15_485_863));
            var (aaFirst, aaFinal, _) = AsTheServiceDoes(Pair(aa, items: 8, runs: 5, accuracyDrop: 0, latencyShift: 0, NoiseModel.LogNormal30, difficulty: 3, reserve: ConfirmationLimit), runs: 5);
            Interlocked.Add(ref falseFirst, aaFirst.Any(v => v.Verdict == Verdict.Regressed) ? 1 : 0);
            Interlocked.Add(ref falseFinal, aaFinal.Any(v => v.Verdict == Verdict.Regressed) ? 1 : 0);
            Interlocked.Add(ref undecidedFinal, aaFinal.Count(v => v.Verdict == Verdict.Inconclusive));
        });

        double Share(int count) => count / (double)replicates;
        Console.WriteLine();
        Console.WriteLine($"Small suites like the demo's (8 items × 5 runs, baseline about 93 % right; {replicates} pairs each):");
        Console.WriteLine($"  1.1 at −36 points and +170 % latency (CV 30 %), on the data at hand: accuracy regressed {Share(accuracyFirst):F3}, latency {Share(latencyFirst):F3}, both {Share(bothFirst):F3}");
        Console.WriteLine($"  after the service's one round of confirmation runs (≤ {ConfirmationLimit} passes; {Share(confirmedPairs):F3} of pairs re-run, "
            + $"{(confirmedPairs == 0 ? 0 : extraRuns / (double)confirmedPairs):F1} passes on average): both regressed {Share(bothFinal):F3}");
        Console.WriteLine($"  A/A (5 cells a pair): some cell regressed {Share(falseFirst):F3} on the data at hand, {Share(falseFinal):F3} after confirmation; "
            + $"{undecidedFinal / (5.0 * replicates):F3} of cells still inconclusive");
        Goals.Add(("demo-like suite: accuracy and latency both regressed in ≥ 0.95 of pairs (data at hand)", bothFirst >= 0.95 * replicates, $"{Share(bothFirst):F3}"));
        Goals.Add(("demo-like suite: both regressed in ≥ 0.95 after one confirmation round", bothFinal >= 0.95 * replicates, $"{Share(bothFinal):F3}"));
        Goals.Add(("demo-like A/A: a false regression in ≤ 5 % of pairs, confirmation round included", falseFinal <= 0.05 * replicates, $"{Share(falseFinal):F3}"));
    }

    /// <summary>The most passes one round of confirmation runs can add: the runner's iteration limit.</summary>
    private const int ConfirmationLimit = 100;

    /// <summary>
    /// The Regression service's path for a benchmark of two versions: judged on the candidate's first <paramref name="runs"/>
    /// runs; when a cell is inconclusive with a number of runs that would settle it, the benchmark is re-run once with the
    /// most any cell needs (at most <see cref="ConfirmationLimit"/>), the new runs pooled with the first, and judged again.
    /// </summary>
    private (IReadOnlyList<SeriesVerdict> First, IReadOnlyList<SeriesVerdict> Final, int Extra) AsTheServiceDoes(List<SeriesInput> full, int runs)
    {
        var first = JudgeAsTheCliDoes(Reveal(full, runs));
        var needed = first.Where(v => v.Verdict == Verdict.Inconclusive && v.AdditionalRunsNeeded > 0).Select(v => v.AdditionalRunsNeeded!.Value).DefaultIfEmpty(0).Max();
        if (needed == 0)
        {
            return (first, first, 0);
        }

        var extra = Math.Min(needed, ConfirmationLimit);
        return (first, JudgeAsTheCliDoes(Reveal(full, runs + extra)), extra);
    }

    /// <summary>The pair with only the candidate's first <paramref name="candidateRuns"/> runs (and attempts per item) revealed.</summary>
    private static List<SeriesInput> Reveal(List<SeriesInput> full, int candidateRuns) => full
        .Select(s => s with
        {
            Versions = [s.Versions[0], new VersionSample(s.Versions[1].Version, s.Versions[1].Runs?.Take(candidateRuns).ToArray(),
                s.Versions[1].Items?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value.Take(candidateRuns).ToArray()))],
        })
        .ToList();

    /// <summary>
    /// One benchmark's five cells for versions 1.0 and 1.1: accuracy item by item (item i right with chance p_i, logit
    /// ~ N(<paramref name="difficulty"/>, 1.5) — N(3, 1) for a suite the baseline mostly passes — lowered in
    /// proportion by <paramref name="accuracyDrop"/> points on average), latency around 1000 ms under <paramref name="noise"/>
    /// (× (1 + <paramref name="latencyShift"/>) on 1.1), cost and tokens with 5 % noise, no errors.
    /// </summary>
    /// <param name="reserve">More candidate runs drawn beyond <paramref name="runs"/>, for confirmation rounds (<see cref="Reveal"/>).</param>
    private static List<SeriesInput> Pair(
        Random random, int items, int runs, double accuracyDrop, double latencyShift, NoiseModel noise, double difficulty = 1, int reserve = 0)
    {
        var spread = difficulty == 1 ? 1.5 : 1.0;
        var chance = Enumerable.Range(0, items).Select(_ => 1 / (1 + Math.Exp(-(difficulty + spread * Corpus.Gaussian(random))))).ToArray();
        var mean = chance.Average();
        var lowered = chance.Select(p => Math.Max(0, p * (1 - accuracyDrop / mean))).ToArray();
        var more = runs + reserve;
        Dictionary<string, IReadOnlyList<double>> Outcomes(double[] p, int n) => Enumerable.Range(0, items).ToDictionary(
            i => "q" + i, i => (IReadOnlyList<double>)Enumerable.Range(0, n).Select(_ => random.NextDouble() < p[i] ? 1.0 : 0.0).ToArray());
        double[] Steady(double level, int n) => Enumerable.Range(0, n).Select(_ => level * Corpus.LogNormal(random, 0.05)).ToArray();
        return
        [
            new SeriesInput("accuracy", "pair", Accuracy, [new VersionSample("1.0", Items: Outcomes(chance, runs)), new VersionSample("1.1", Items: Outcomes(lowered, more))]),
            new SeriesInput("latency", "pair", Corpus.Latency,
                [new VersionSample("1.0", Corpus.Draw(random, noise, 1000, runs)), new VersionSample("1.1", Corpus.Draw(random, noise, 1000 * (1 + latencyShift), more))]),
            new SeriesInput("cost", "pair", Cost, [new VersionSample("1.0", Steady(0.002, runs)), new VersionSample("1.1", Steady(0.002, more))]),
            new SeriesInput("tokens", "pair", Tokens, [new VersionSample("1.0", Steady(300, runs)), new VersionSample("1.1", Steady(300, more))]),
            new SeriesInput("errors", "pair", ErrorRate, [new VersionSample("1.0", new double[runs]), new VersionSample("1.1", new double[more])]),
        ];
    }

    /// <summary>What <c>benchmesh regress</c> does with a file: every series a JSON line, parsed strictly, judged with the engine's defaults.</summary>
    private IReadOnlyList<SeriesVerdict> JudgeAsTheCliDoes(List<SeriesInput> series)
    {
        var lines = series.Select(s => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = s.Id,
            ["family"] = s.Family,
            ["metric"] = s.Metric.Name,
            ["versions"] = s.Versions.Select(v => new Dictionary<string, object?>
            {
                ["version"] = v.Version,
                ["runs"] = v.Runs,
                ["items"] = v.Items,
            }).ToArray(),
        }));
        using var reader = new StringReader(string.Join('\n', lines));
        return _engine.Analyze(SeriesJson.Read(reader));
    }
}
