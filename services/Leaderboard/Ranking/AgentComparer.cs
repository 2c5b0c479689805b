using BenchMesh.Leaderboard.Statistics;

namespace BenchMesh.Leaderboard.Ranking;

/// <summary>One execution of an agent version on a suite, with the per-pass values the tests use.</summary>
public sealed record ExecutionScores(Guid BenchmarkId, ScoreSet Scores, IReadOnlyList<double> IterationAccuracy, IReadOnlyList<double> IterationReliability);

/// <summary>An agent version's executions on the suite being compared.</summary>
public sealed record AgentExecutions(Guid AgentId, string AgentName, string AgentVersion, IReadOnlyList<ExecutionScores> Executions);

public sealed record AgentMean(Guid AgentId, string AgentVersion, double Mean, int Samples);

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
/// Head-to-head and matrix comparisons of agent versions on one suite. Means are over executions; the significance
/// test runs on per-pass values where the score has them (accuracy, reliability), else on per-execution values.
/// </summary>
public sealed class AgentComparer(ISignificanceTest test)
{
    public const string PerIteration = "per_iteration";
    public const string PerExecution = "per_execution";

    public IReadOnlyList<MetricComparison> HeadToHead(AgentExecutions a, AgentExecutions b) =>
        ScoreMetrics.All.Select(metric =>
        {
            var meanA = a.Executions.Average(e => e.Scores.Get(metric));
            var meanB = b.Executions.Average(e => e.Scores.Get(metric));
            var (valuesA, valuesB, basis) = (Values(a, metric), Values(b, metric)) switch
            {
                ({ } pa, { } pb) => (pa, pb, PerIteration),
                _ => (PerExecutionValues(a, metric), PerExecutionValues(b, metric), PerExecution),
            };
            var significance = test.Compare(valuesA, valuesB);
            Guid? winner = significance.Significant && meanA != meanB ? (meanA > meanB ? a.AgentId : b.AgentId) : null;
            return new MetricComparison(
                metric,
                [new AgentMean(a.AgentId, a.AgentVersion, meanA, valuesA.Count), new AgentMean(b.AgentId, b.AgentVersion, meanB, valuesB.Count)],
                meanA - meanB, significance, basis, winner);
        }).ToList();

    /// <summary>
    /// wins[i][j]: on how many benchmarks both ran agent i's overall score (latest execution) beats agent j's.
    /// </summary>
    public static int[][] WinMatrix(IReadOnlyList<AgentExecutions> agents)
    {
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

    private static List<double>? Values(AgentExecutions agent, string metric)
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

    private static List<double> PerExecutionValues(AgentExecutions agent, string metric) =>
        agent.Executions.Select(e => e.Scores.Get(metric)).ToList();
}
