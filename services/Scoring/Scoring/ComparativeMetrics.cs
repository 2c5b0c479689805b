using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;

namespace BenchMesh.Scoring.Scoring;

/// <summary>The table's comparative columns: <c>percentile_rank</c> and <c>deviation_from_baseline</c> (docs/scoring.md).</summary>
public static class ComparativeMetrics
{
    /// <summary>The window of executions an execution is ranked among.</summary>
    public static readonly TimeSpan PercentileWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// Mid-rank percentile in [0, 100]: 100 × (below + ½ × tied) / all, counting the execution itself among the tied
    /// and in all. Tied executions share one rank; an execution alone in its window is 50; the best of n distinct is
    /// 100 × (n − ½) / n.
    /// </summary>
    /// <param name="below">Peers with a strictly lower overall score.</param>
    /// <param name="tiedPeers">Peers with the same overall score (the execution itself not included).</param>
    /// <param name="peers">Every peer (the execution itself not included).</param>
    public static double PercentileRank(int below, int tiedPeers, int peers) =>
        100.0 * (below + 0.5 * (tiedPeers + 1)) / (peers + 1);

    /// <summary>
    /// Shared decision 5: the baseline of the execution's agent if the suite names one, else the benchmark's own, else
    /// none (null); the mean over the baseline's named scores of (execution score − baseline score). Names are the
    /// score names (<c>accuracy_score</c>, or short <c>accuracy</c>; <c>overall_score</c> too), case-insensitive; a
    /// baseline naming no score known here gives null.
    /// </summary>
    public static double? DeviationFromBaseline(IReadOnlyList<BaselineScores>? baselines, Guid agentId, Scores scores)
    {
        if (baselines is not { Count: > 0 })
        {
            return null;
        }

        var baseline = baselines.FirstOrDefault(b => Guid.TryParse(b.AgentId, out var id) && id == agentId)
                       ?? baselines.FirstOrDefault(b => string.IsNullOrWhiteSpace(b.AgentId));
        if (baseline?.Scores is not { Count: > 0 } named)
        {
            return null;
        }

        var differences = named
            .Select(kv => ScoreNamed(scores, kv.Key) is { } value && double.IsFinite(kv.Value) ? value - kv.Value : (double?)null)
            .OfType<double>()
            .ToList();
        return differences.Count == 0 ? null : differences.Average();
    }

    /// <summary>The score with this name (<c>accuracy_score</c> or <c>accuracy</c>, ...), or null for another name.</summary>
    public static double? ScoreNamed(Scores scores, string name)
    {
        var key = name.Trim().ToLowerInvariant();
        if (key.EndsWith("_score", StringComparison.Ordinal))
        {
            key = key[..^"_score".Length];
        }

        return key switch
        {
            "accuracy" => scores.AccuracyScore,
            "speed" => scores.SpeedScore,
            "efficiency" => scores.EfficiencyScore,
            "cost" => scores.CostScore,
            "reliability" => scores.ReliabilityScore,
            "overall" => scores.OverallScore,
            _ => null,
        };
    }
}
