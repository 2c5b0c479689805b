using BenchMesh.Statistics.Engine;
using BenchMesh.Statistics.Procedures;

namespace BenchMesh.Leaderboard.Ranking;

/// <summary>An execution's raw per-task figures, which the recommendations quote (a cost ratio reads better than score points).</summary>
public sealed record ExecutionFigures(double MeanCostPerTaskUsd, double MedianLatencyMs, double MeanTokensPerTask, double ErrorRate);

/// <summary>
/// One execution of an agent version on a suite, with what the tests use: per-pass values, and per-item outcomes
/// keyed by benchmark and item ([successes, attempts]).
/// </summary>
public sealed record ExecutionScores(
    Guid BenchmarkId,
    string BenchmarkCategory,
    ScoreSet Scores,
    IReadOnlyList<double> IterationAccuracy,
    IReadOnlyList<double> IterationReliability,
    IReadOnlyDictionary<string, int[]> ItemOutcomes,
    ExecutionFigures Figures);

/// <summary>An agent version's executions on the suite being compared.</summary>
public sealed record AgentExecutions(Guid AgentId, string AgentName, string AgentVersion, IReadOnlyList<ExecutionScores> Executions)
{
    /// <summary>
    /// How answers name this agent version: <c>&lt;agent_id&gt;@&lt;version&gt;</c>, unique even when two versions of one
    /// agent are compared, and usable as an <c>agent_ids</c> entry.
    /// </summary>
    public string Ref => $"{AgentId}@{AgentVersion}";

    /// <summary>How the recommendations name it: "agent-b 2.0".</summary>
    public string Label => $"{AgentName} {AgentVersion}";

    public ExecutionFigures MeanFigures => new(
        Executions.Average(e => e.Figures.MeanCostPerTaskUsd), Executions.Average(e => e.Figures.MedianLatencyMs),
        Executions.Average(e => e.Figures.MeanTokensPerTask), Executions.Average(e => e.Figures.ErrorRate));
}

/// <summary>
/// The evidence on one metric. <see cref="PValue"/> is two-sided (twice the smaller one-sided p of the engine's test),
/// <see cref="QValue"/> its Benjamini-Hochberg adjustment across the comparison's family. <see cref="Effect"/> is
/// agent a − agent b in score points with its interval, from the same procedure as the p-value (paired where the data
/// allow); <see cref="IntervalConfidence"/> is that interval's confidence: 0.95, or less when a rank test's samples are too
/// few for a distribution-free 95 % interval (2 executions against 3: the widest has 80 %, the level at which its two-sided
/// p-value of 0.2 excludes 0). <see cref="AgentASamples"/> and <see cref="AgentBSamples"/> are what the test counted, in
/// <see cref="SampleUnit"/>.
/// </summary>
public sealed record SignificanceResult(
    string Test,
    string Basis,
    double PValue,
    double QValue,
    bool Significant,
    EffectInterval Effect,
    double IntervalConfidence,
    double MinimumDetectableEffect,
    int AgentASamples,
    int AgentBSamples,
    string SampleUnit,
    string Verdict);

/// <summary>
/// One metric of a head-to-head (§3.2's <c>MetricComparison</c>): both mean scores, <c>a − b</c>, <c>(a − b) / b × 100</c>
/// (null when b is 0), and the winner's <see cref="AgentExecutions.Ref"/> only where the difference is significant.
/// </summary>
public sealed record MetricComparison(
    string Metric,
    double AgentAScore,
    double AgentBScore,
    double Difference,
    double? PercentageDifference,
    string? Winner,
    SignificanceResult StatisticalSignificance,
    string Note);

/// <summary>The head-to-head restricted to one benchmark category's executions.</summary>
public sealed record CategoryComparison(
    string Category,
    int Benchmarks,
    int AgentAExecutions,
    int AgentBExecutions,
    string? Winner,
    int AgentAWins,
    int AgentBWins,
    IReadOnlyList<MetricComparison> DetailedMetrics);

/// <summary>Everything the head-to-head of two agent versions found, before it is put into words.</summary>
public sealed record PairOutcome(
    AgentExecutions AgentA,
    AgentExecutions AgentB,
    IReadOnlyList<MetricComparison> DetailedMetrics,
    string? OverallWinner,
    int AgentAWins,
    int AgentBWins,
    IReadOnlyList<CategoryComparison> Categories);

/// <summary>
/// Head-to-head comparison of two agent versions on one suite (§3.2), with the regression engine's tests
/// (BenchMesh.Statistics): accuracy is compared item by item where both agents answered the same items (a paired
/// test: exact McNemar with one attempt per item, a paired t on per-item success fractions otherwise), reliability
/// on per-pass values, the other scores paired by benchmark where both ran at least three of the same (a paired t on
/// per-benchmark differences), else on per-execution values (Mann-Whitney with a Hodges-Lehmann interval).
/// <para>
/// The five metrics are one family (Benjamini-Hochberg at 5 %); the category comparisons are another, all their
/// cells together. A metric has a winner only where the adjusted evidence holds and the difference is at least one
/// score point. The overall and each category's winner follow §3.2's majority rule — more metric wins — counting
/// only those significant wins; equal counts (none included) are a tie, a null winner.
/// </para>
/// </summary>
public sealed class AgentComparer
{
    public const string PerIteration = "per_iteration";
    public const string PerExecution = "per_execution";
    public const string PerItem = "per_item";
    public const string PerBenchmark = "per_benchmark";
    public const string AgentABetter = "agent_a_better";
    public const string AgentBBetter = "agent_b_better";
    public const string NoSignificantDifference = "no_significant_difference";

    /// <summary>False-discovery rate across one family of tests.</summary>
    public const double FalseDiscoveryRate = 0.05;

    /// <summary>The smallest difference that names a winner: one point of a score in [0, 1].</summary>
    public const double PracticalThreshold = 0.01;

    public PairOutcome Compare(AgentExecutions a, AgentExecutions b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var overall = CompareFamily([(a, b)])[0];
        var (winner, winsA, winsB) = Majority(overall, a, b);

        var categoriesA = a.Executions.GroupBy(e => e.BenchmarkCategory).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var categoriesB = b.Executions.GroupBy(e => e.BenchmarkCategory).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        // Only the categories both versions ran can be compared.
        var shared = categoriesA.Keys.Where(categoriesB.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var slices = shared.Select(c => (a with { Executions = categoriesA[c] }, b with { Executions = categoriesB[c] })).ToList();
        var categories = CompareFamily(slices).Select((metrics, i) =>
        {
            var (sliceA, sliceB) = slices[i];
            var (categoryWinner, categoryWinsA, categoryWinsB) = Majority(metrics, a, b);
            var benchmarks = sliceA.Executions.Concat(sliceB.Executions).Select(e => e.BenchmarkId).Distinct().Count();
            return new CategoryComparison(
                shared[i], benchmarks, sliceA.Executions.Count, sliceB.Executions.Count, categoryWinner, categoryWinsA, categoryWinsB, metrics);
        }).ToList();

        return new PairOutcome(a, b, overall, winner, winsA, winsB, categories);
    }

    /// <summary>The five metrics of every slice, with one Benjamini-Hochberg adjustment across all the slices' cells.</summary>
    private static List<IReadOnlyList<MetricComparison>> CompareFamily(IReadOnlyList<(AgentExecutions A, AgentExecutions B)> slices)
    {
        var cells = slices.SelectMany(slice => ComparedMetrics.All.Select(metric => Test(slice.A, slice.B, metric))).ToList();
        var q = BenjaminiHochberg.Adjust(cells.Select(c => c.PTwoSided).ToArray());
        return slices.Select((slice, s) => (IReadOnlyList<MetricComparison>)ComparedMetrics.All
            .Select((_, m) => Describe(slice.A, slice.B, cells[s * ComparedMetrics.All.Count + m], q[s * ComparedMetrics.All.Count + m]))
            .ToList()).ToList();
    }

    private static MetricComparison Describe(AgentExecutions a, AgentExecutions b, Cell cell, double q)
    {
        var score = ComparedMetrics.Score(cell.Metric);
        var meanA = a.Executions.Average(e => e.Scores.Get(score));
        var meanB = b.Executions.Average(e => e.Scores.Get(score));
        var effect = cell.Comparison.Effect;
        // A winner also needs its interval clear of 0: the verdict, the p-value and the interval then never disagree.
        var significant = q <= FalseDiscoveryRate && Math.Abs(effect.Estimate) >= PracticalThreshold && (effect.Lower > 0 || effect.Upper < 0);
        var verdict = !significant ? NoSignificantDifference : effect.Estimate > 0 ? AgentABetter : AgentBBetter;
        var winner = verdict switch { AgentABetter => a.Ref, AgentBBetter => b.Ref, _ => null };
        var result = new SignificanceResult(
            TestName(cell.Comparison.Test), cell.Basis, cell.PTwoSided, q, significant, effect, 1 - cell.Comparison.EffectMisrate,
            cell.Comparison.MinimumDetectableEffect,
            cell.Comparison.CandidateCount, cell.Comparison.BaselineCount, SampleUnit(cell.Basis), verdict);
        // §3.2's (a − b) / b × 100 has no value when b scored 0; null says so rather than an infinity.
        double? percentage = meanB == 0 ? null : (meanA - meanB) / meanB * 100;
        var partial = new MetricComparison(cell.Metric, meanA, meanB, meanA - meanB, percentage, winner, result, "");
        return partial with { Note = ComparisonAdvice.Note(partial, a, b) };
    }

    /// <summary>§3.2's majority rule over significant wins only: more wins names the winner; equal counts are a tie (null).</summary>
    private static (string? Winner, int WinsA, int WinsB) Majority(IReadOnlyList<MetricComparison> metrics, AgentExecutions a, AgentExecutions b)
    {
        var winsA = metrics.Count(m => m.Winner == a.Ref);
        var winsB = metrics.Count(m => m.Winner == b.Ref);
        return (winsA > winsB ? a.Ref : winsB > winsA ? b.Ref : null, winsA, winsB);
    }

    private sealed record Cell(string Metric, Comparison Comparison, double PTwoSided, string Basis);

    private static Cell Test(AgentExecutions a, AgentExecutions b, string metric)
    {
        var (first, second, basis) = Observe(a, b, ComparedMetrics.Score(metric));
        var definition = new MetricDefinition(metric, MetricDirection.HigherIsBetter, MetricScale.Proportion, PracticalThreshold);
        // Agent a as the engine's candidate, agent b as its baseline: the effect is a − b.
        var comparison = Comparator.Compare(definition, first, second, FalseDiscoveryRate);
        return new Cell(metric, comparison, Math.Min(1, 2 * Math.Min(comparison.PWorse, comparison.PBetter)), basis);
    }

    private static string TestName(TestKind test) => test switch
    {
        TestKind.McNemar => "mcnemar_exact",
        TestKind.PairedT => "paired_t",
        TestKind.WelchOnLogs => "welch",
        TestKind.BatchMeans => "batch_means",
        TestKind.ItemStratified => "item_stratified",
        _ => "mann_whitney",
    };

    private static string SampleUnit(string basis) => basis switch
    {
        PerItem => "items",
        PerIteration => "passes",
        PerBenchmark => "benchmarks",
        _ => "executions",
    };

    private static (Observations First, Observations Second, string Basis) Observe(AgentExecutions a, AgentExecutions b, string score)
    {
        if (score == ScoreMetrics.Accuracy && Items(a) is { } itemsA && Items(b) is { } itemsB
            && itemsA.Keys.Count(itemsB.ContainsKey) >= Comparator.MinimumPairedItems)
        {
            return (Observations.Of([new VersionSample(a.AgentVersion, Items: itemsA)]), Observations.Of([new VersionSample(b.AgentVersion, Items: itemsB)]), PerItem);
        }

        if (PerPass(a, score) is { } passesA && PerPass(b, score) is { } passesB)
        {
            return (Observations.Of([new VersionSample(a.AgentVersion, passesA)]), Observations.Of([new VersionSample(b.AgentVersion, passesB)]), PerIteration);
        }

        // Scores with one value per execution: paired by benchmark where both ran the same ones, which takes the
        // benchmarks' differences in difficulty out of the comparison.
        var benchmarksA = ByBenchmark(a, score);
        var benchmarksB = ByBenchmark(b, score);
        if (benchmarksA.Keys.Count(benchmarksB.ContainsKey) >= Comparator.MinimumPairedItems)
        {
            return (Observations.Of([new VersionSample(a.AgentVersion, Items: benchmarksA)]), Observations.Of([new VersionSample(b.AgentVersion, Items: benchmarksB)]), PerBenchmark);
        }

        return (Observations.Of([new VersionSample(a.AgentVersion, ExecutionValues(a, score))]), Observations.Of([new VersionSample(b.AgentVersion, ExecutionValues(b, score))]), PerExecution);
    }

    /// <summary>Every item's attempts as 1 (success) and 0 (failure), keyed by benchmark and item; null without item outcomes.</summary>
    private static Dictionary<string, IReadOnlyList<double>>? Items(AgentExecutions agent)
    {
        var items = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var execution in agent.Executions)
        {
            foreach (var (item, outcome) in execution.ItemOutcomes)
            {
                if (ItemOutcomes.Expand(outcome) is not { } attempts)
                {
                    continue;
                }

                var key = execution.BenchmarkId.ToString("N") + "/" + item;
                if (!items.TryGetValue(key, out var list))
                {
                    items[key] = list = [];
                }

                list.AddRange(attempts);
            }
        }

        return items.Count == 0 ? null : items.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value, StringComparer.Ordinal);
    }

    private static Dictionary<string, IReadOnlyList<double>> ByBenchmark(AgentExecutions agent, string score) =>
        agent.Executions
            .GroupBy(e => e.BenchmarkId.ToString("N"))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<double>)g.Select(e => e.Scores.Get(score)).ToList(), StringComparer.Ordinal);

    private static List<double>? PerPass(AgentExecutions agent, string score)
    {
        Func<ExecutionScores, IReadOnlyList<double>>? select = score switch
        {
            ScoreMetrics.Accuracy => e => e.IterationAccuracy,
            ScoreMetrics.Reliability => e => e.IterationReliability,
            _ => null,
        };
        if (select is null || agent.Executions.Any(e => select(e).Count == 0))
        {
            return null;
        }

        return agent.Executions.SelectMany(select).ToList();
    }

    private static List<double> ExecutionValues(AgentExecutions agent, string score) =>
        agent.Executions.Select(e => e.Scores.Get(score)).ToList();
}
