using BenchMesh.Leaderboard.Data;

namespace BenchMesh.Leaderboard.Ranking;

/// <summary>The metrics of the analytics views' rows, under the specification's names (§5.1 <c>scores_and_ranks</c>).</summary>
public static class BoardMetrics
{
    public const string All = "all";
    public const string Accuracy = "accuracy";
    public const string Speed = "speed";
    public const string Efficiency = "efficiency";
    public const string Cost = "cost";
    public const string Reliability = "reliability";

    /// <summary>The §3.1 weighted score, which BenchMesh adds to §5.1's five (it is not counted in best_ranking).</summary>
    public const string Overall = "overall";

    /// <summary>The five of the specification, then overall: the order of <c>scores_and_ranks</c>.</summary>
    public static readonly IReadOnlyList<string> Scores = [Accuracy, Speed, Efficiency, Cost, Reliability, Overall];

    /// <summary><c>all</c> or a metric, from its name or its <c>_score</c> form (<c>accuracy_score</c>); null when unknown.</summary>
    public static string? Normalize(string? metric)
    {
        if (string.IsNullOrWhiteSpace(metric))
        {
            return All;
        }

        var m = metric.Trim().ToLowerInvariant();
        m = m.EndsWith("_score", StringComparison.Ordinal) ? m[..^"_score".Length] : m;
        return m == All || Scores.Contains(m) ? m : null;
    }

    /// <summary>A metric's average score and rank in a row of either view.</summary>
    public static (double Score, long Rank) Of(IRankedRow row, string metric) => metric switch
    {
        Accuracy => (row.AvgAccuracy, row.AccuracyRank),
        Speed => (row.AvgSpeed, row.SpeedRank),
        Efficiency => (row.AvgEfficiency, row.EfficiencyRank),
        Cost => (row.AvgCost, row.CostRank),
        Reliability => (row.AvgReliability, row.ReliabilityRank),
        Overall => (row.OverallScore, row.OverallRank),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };
}
