namespace BenchMesh.Leaderboard.Ranking;

/// <summary>The six scores, in the order the API lists them, and the short names it also accepts.</summary>
public static class ScoreMetrics
{
    public const string Overall = "overall_score";
    public const string Accuracy = "accuracy_score";
    public const string Speed = "speed_score";
    public const string Efficiency = "efficiency_score";
    public const string Cost = "cost_score";
    public const string Reliability = "reliability_score";

    public static readonly IReadOnlyList<string> All = [Overall, Accuracy, Speed, Efficiency, Cost, Reliability];

    /// <summary>The canonical name of <paramref name="metric"/> (<c>accuracy</c> → <c>accuracy_score</c>), or null.</summary>
    public static string? Normalize(string? metric)
    {
        if (string.IsNullOrWhiteSpace(metric))
        {
            return Overall;
        }

        var m = metric.Trim().ToLowerInvariant();
        var full = m.EndsWith("_score", StringComparison.Ordinal) ? m : m + "_score";
        return All.Contains(full) ? full : null;
    }
}

/// <summary>The six scores of an agent version or an execution.</summary>
public sealed record ScoreSet(double Overall, double Accuracy, double Speed, double Efficiency, double Cost, double Reliability)
{
    public double Get(string metric) => metric switch
    {
        ScoreMetrics.Overall => Overall,
        ScoreMetrics.Accuracy => Accuracy,
        ScoreMetrics.Speed => Speed,
        ScoreMetrics.Efficiency => Efficiency,
        ScoreMetrics.Cost => Cost,
        ScoreMetrics.Reliability => Reliability,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };

    public static ScoreSet Mean(IReadOnlyCollection<ScoreSet> sets) => sets.Count == 0
        ? new ScoreSet(0, 0, 0, 0, 0, 0)
        : new ScoreSet(
            sets.Average(s => s.Overall), sets.Average(s => s.Accuracy), sets.Average(s => s.Speed),
            sets.Average(s => s.Efficiency), sets.Average(s => s.Cost), sets.Average(s => s.Reliability));
}
