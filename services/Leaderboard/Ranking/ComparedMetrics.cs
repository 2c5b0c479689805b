namespace BenchMesh.Leaderboard.Ranking;

/// <summary>
/// The five metrics a head-to-head compares, by the names §3.2 gives them (<c>accuracy</c>, not <c>accuracy_score</c>),
/// with the score each reads and the kind of work it matters for (the recommendations' wording). The overall score is
/// not one of them: it is a weighted mix of these five, and counting it would count them twice in the majority rule.
/// </summary>
public static class ComparedMetrics
{
    public const string Accuracy = "accuracy";
    public const string Speed = "speed";
    public const string Efficiency = "efficiency";
    public const string Cost = "cost";
    public const string Reliability = "reliability";

    public static readonly IReadOnlyList<string> All = [Accuracy, Speed, Efficiency, Cost, Reliability];

    /// <summary>The score column a metric reads (<see cref="ScoreMetrics"/>).</summary>
    public static string Score(string metric) => metric switch
    {
        Accuracy => ScoreMetrics.Accuracy,
        Speed => ScoreMetrics.Speed,
        Efficiency => ScoreMetrics.Efficiency,
        Cost => ScoreMetrics.Cost,
        Reliability => ScoreMetrics.Reliability,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };

    /// <summary>The work a metric's winner is the better choice for ("use X for accuracy-critical work").</summary>
    public static string Purpose(string metric) => metric switch
    {
        Accuracy => "accuracy-critical",
        Speed => "latency-sensitive",
        Efficiency => "token-constrained",
        Cost => "cost-sensitive",
        Reliability => "reliability-critical",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric."),
    };
}
