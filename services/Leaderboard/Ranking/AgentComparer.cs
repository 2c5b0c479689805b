using BenchMesh.Statistics.Engine;
using BenchMesh.Statistics.Procedures;

namespace BenchMesh.Leaderboard.Ranking;

/// <summary>
/// One execution of an agent version on a suite, with what the tests use: per-pass values, and per-item outcomes
/// keyed by benchmark and item ([successes, attempts]).
/// </summary>
public sealed record ExecutionScores(
    Guid BenchmarkId,
    ScoreSet Scores,
    IReadOnlyList<double> IterationAccuracy,
    IReadOnlyList<double> IterationReliability,
    IReadOnlyDictionary<string, int[]> ItemOutcomes);

/// <summary>An agent version's executions on the suite being compared.</summary>
public sealed record AgentExecutions(Guid AgentId, string AgentName, string AgentVersion, IReadOnlyList<ExecutionScores> Executions);

public sealed record AgentMean(Guid AgentId, string AgentVersion, double Mean, int Samples);

/// <summary>
/// The evidence on one score. <see cref="PValue"/> is two-sided (twice the smaller one-sided p of the engine's test),
/// <see cref="QValue"/> its Benjamini-Hochberg adjustment across the six scores. <see cref="Effect"/> is first − second
/// in score points with its 95 % interval; <see cref="Verdict"/> is <c>first_better</c>, <c>second_better</c> or
/// <c>tied</c> (no evidence of a difference of at least <see cref="AgentComparer.PracticalThreshold"/>).
/// </summary>
public sealed record SignificanceResult(
    string Test, double PValue, double QValue, bool Significant, EffectInterval Effect, double MinimumDetectableEffect, string Verdict);

public sealed record MetricComparison(
    string Metric, IReadOnlyList<AgentMean> Means, double Difference, SignificanceResult StatisticalSignificance, string Basis, Guid? Winner);

public sealed record AgentSummary(
    Guid AgentId, string AgentName, string AgentVersion, int Executions,
    double OverallScore, double AccuracyScore, double SpeedScore, double EfficiencyScore, double CostScore, double ReliabilityScore)
{
    public static AgentSummary Of(AgentExecutions a)
    {
        var s = ScoreSet.Mean(a.Executions.Select(e => e.Scores).ToList());
        return new(a.AgentId, a.AgentName, a.AgentVersion, a.Executions.Count, s.Overall, s.Accuracy, s.Speed, s.Efficiency, s.Cost, s.Reliability);
    }
}

/// <summary>
/// Head-to-head and matrix comparisons of agent versions on one suite, with the regression engine's tests
/// (BenchMesh.Statistics): accuracy is compared item by item where both agents answered the same items (a paired
/// test: exact McNemar with one attempt per item, a paired t on per-item success fractions otherwise), reliability
/// on per-pass values, the other scores paired by benchmark where both ran at least three of the same (a paired t on
/// per-benchmark differences), else on per-execution values (Mann-Whitney with a Hodges-Lehmann interval).
/// The six tests are one family: Benjamini-Hochberg at 5 %. A winner is named only where the adjusted evidence holds
/// and the difference is at least one score point; otherwise the agents are tied on that score.
/// </summary>
public sealed class AgentComparer
{
    public const string PerIteration = "per_iteration";
    public const string PerExecution = "per_execution";
    public const string PerItem = "per_item";
    public const string PerBenchmark = "per_benchmark";
    public const string FirstBetter = "first_better";
    public const string SecondBetter = "second_better";
    public const string Tied = "tied";

    /// <summary>False-discovery rate across the six scores of one comparison.</summary>
    public const double FalseDiscoveryRate = 0.05;

    /// <summary>The smallest difference that names a winner: one point of a score in [0, 1].</summary>
    public const double PracticalThreshold = 0.01;

    public IReadOnlyList<MetricComparison> HeadToHead(AgentExecutions a, AgentExecutions b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var cells = ScoreMetrics.All.Select(metric =>
        {
            var (first, second, basis, samplesA, samplesB) = Observe(a, b, metric);
            var definition = new MetricDefinition(metric, MetricDirection.HigherIsBetter, MetricScale.Proportion, PracticalThreshold);
            // "Worse" for the first agent as candidate against the second as baseline.
            var comparison = Comparator.Compare(definition, first, second, FalseDiscoveryRate);
            var pTwoSided = Math.Min(1, 2 * Math.Min(comparison.PWorse, comparison.PBetter));
            return (Metric: metric, Comparison: comparison, PTwoSided: pTwoSided, Basis: basis, SamplesA: samplesA, SamplesB: samplesB);
        }).ToList();

        var q = BenjaminiHochberg.Adjust(cells.Select(c => c.PTwoSided).ToArray());
        return cells.Select((cell, i) =>
        {
            var meanA = a.Executions.Average(e => e.Scores.Get(cell.Metric));
            var meanB = b.Executions.Average(e => e.Scores.Get(cell.Metric));
            var effect = cell.Comparison.Effect;
            var significant = q[i] <= FalseDiscoveryRate && Math.Abs(effect.Estimate) >= PracticalThreshold;
            var verdict = !significant ? Tied : effect.Estimate > 0 ? FirstBetter : SecondBetter;
            Guid? winner = verdict switch { FirstBetter => a.AgentId, SecondBetter => b.AgentId, _ => null };
            var result = new SignificanceResult(
                TestName(cell.Comparison.Test), cell.PTwoSided, q[i], significant, effect, cell.Comparison.MinimumDetectableEffect, verdict);
            return new MetricComparison(
                cell.Metric,
                [new AgentMean(a.AgentId, a.AgentVersion, meanA, cell.SamplesA), new AgentMean(b.AgentId, b.AgentVersion, meanB, cell.SamplesB)],
                meanA - meanB, result, cell.Basis, winner);
        }).ToList();
    }

    /// <summary>
    /// wins[i][j]: on how many benchmarks both ran agent i's overall score (latest execution) beats agent j's.
    /// </summary>
    public static int[][] WinMatrix(IReadOnlyList<AgentExecutions> agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        var latest = agents.Select(a => a.Executions
            .GroupBy(e => e.BenchmarkId)
            .ToDictionary(g => g.Key, g => g.Last().Scores.Overall)).ToList();
        var wins = new int[agents.Count][];
        for (var i = 0; i < agents.Count; i++)
        {
            wins[i] = new int[agents.Count];
            for (var j = 0; j < agents.Count; j++)
            {
                if (i != j)
                {
                    wins[i][j] = latest[i].Count(kv => latest[j].TryGetValue(kv.Key, out var other) && kv.Value > other);
                }
            }
        }

        return wins;
    }

    private static string TestName(TestKind test) => test switch
    {
        TestKind.McNemar => "mcnemar_exact",
        TestKind.PairedT => "paired_t",
        TestKind.WelchOnLogs => "welch",
        _ => "mann_whitney",
    };

    private static (Observations First, Observations Second, string Basis, int SamplesA, int SamplesB) Observe(AgentExecutions a, AgentExecutions b, string metric)
    {
        if (metric == ScoreMetrics.Accuracy && Items(a) is { } itemsA && Items(b) is { } itemsB
            && itemsA.Keys.Count(itemsB.ContainsKey) >= Comparator.MinimumPairedItems)
        {
            return (Observations.Of([new VersionSample(a.AgentVersion, Items: itemsA)]), Observations.Of([new VersionSample(b.AgentVersion, Items: itemsB)]),
                PerItem, itemsA.Count, itemsB.Count);
        }

        if (PerPass(a, metric) is not { } passesA || PerPass(b, metric) is not { } passesB)
        {
            // Scores with one value per execution: paired by benchmark where both ran the same ones, which takes the
            // benchmarks' differences in difficulty out of the comparison.
            var benchmarksA = ByBenchmark(a, metric);
            var benchmarksB = ByBenchmark(b, metric);
            if (benchmarksA.Keys.Count(benchmarksB.ContainsKey) >= Comparator.MinimumPairedItems)
            {
                return (Observations.Of([new VersionSample(a.AgentVersion, Items: benchmarksA)]), Observations.Of([new VersionSample(b.AgentVersion, Items: benchmarksB)]),
                    PerBenchmark, a.Executions.Count, b.Executions.Count);
            }

            passesA = ExecutionValues(a, metric);
            passesB = ExecutionValues(b, metric);
            return (Observations.Of([new VersionSample(a.AgentVersion, passesA)]), Observations.Of([new VersionSample(b.AgentVersion, passesB)]),
                PerExecution, passesA.Count, passesB.Count);
        }

        var (valuesA, valuesB, basis) = (passesA, passesB, PerIteration);
        return (Observations.Of([new VersionSample(a.AgentVersion, valuesA)]), Observations.Of([new VersionSample(b.AgentVersion, valuesB)]),
            basis, valuesA.Count, valuesB.Count);
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

    private static Dictionary<string, IReadOnlyList<double>> ByBenchmark(AgentExecutions agent, string metric) =>
        agent.Executions
            .GroupBy(e => e.BenchmarkId.ToString("N"))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<double>)g.Select(e => e.Scores.Get(metric)).ToList(), StringComparer.Ordinal);

    private static List<double>? PerPass(AgentExecutions agent, string metric)
    {
        Func<ExecutionScores, IReadOnlyList<double>>? select = metric switch
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

    private static List<double> ExecutionValues(AgentExecutions agent, string metric) =>
        agent.Executions.Select(e => e.Scores.Get(metric)).ToList();
}
