using System.Globalization;

namespace BenchMesh.Leaderboard.Ranking;

/// <summary>
/// Puts a head-to-head into words a person acts on: a note per metric (why it has a winner, or why not), and the
/// recommendations — which agent version for which work and why — made from the significant results only. Where
/// nothing is significant they say so plainly, with what the data could have detected.
/// </summary>
public static class ComparisonAdvice
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Note(MetricComparison metric, AgentExecutions a, AgentExecutions b)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var s = metric.StatisticalSignificance;
        if (metric.Winner is not null)
        {
            // The interval is a − b; turned around when b wins, so it reads as the winner's lead.
            var (winner, lower, upper) = metric.Winner == a.Ref ? (a, s.Effect.Lower, s.Effect.Upper) : (b, -s.Effect.Upper, -s.Effect.Lower);
            return $"{winner.Label} is better by {Points(Math.Abs(s.Effect.Estimate))} points ({Confidence(s)} CI {Points(lower)} to {Points(upper)}), q{Bound(s.QValue)}.";
        }

        var why = s.QValue > AgentComparer.FalseDiscoveryRate
            ? $"No significant difference (q={P(s.QValue)} > {P(AgentComparer.FalseDiscoveryRate)}): {Detectable(s.MinimumDetectableEffect, "a difference")}."
            : $"No significant difference: the {Points(Math.Abs(s.Effect.Estimate))}-point difference is below the {Points(AgentComparer.PracticalThreshold)}-point threshold.";
        // The interval of a rank test on a handful of executions cannot reach 95 %: say which it is, so that one clear of 0
        // beside a large p is not read as a contradiction. One value per side has no interval worth quoting: "too few"
        // (Detectable) already says it all.
        return s.IntervalConfidence < 0.95 - 1e-9 && double.IsFinite(s.MinimumDetectableEffect) && s.MinimumDetectableEffect > 0
            ? why + $" The interval ({Points(s.Effect.Lower)} to {Points(s.Effect.Upper)} points) has only {Confidence(s)} confidence, the most {s.AgentASamples} vs {s.AgentBSamples} {s.SampleUnit} allow; a 95 % interval would include 0."
            : why;
    }

    public static IReadOnlyList<string> Recommendations(PairOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var (a, b) = (outcome.AgentA, outcome.AgentB);
        var lines = new List<string>();
        var metrics = outcome.DetailedMetrics;
        var winsA = metrics.Where(m => m.Winner == a.Ref).ToList();
        var winsB = metrics.Where(m => m.Winner == b.Ref).ToList();
        if (winsA.Count + winsB.Count == 0)
        {
            var accuracy = metrics.Single(m => m.Metric == ComparedMetrics.Accuracy).StatisticalSignificance;
            lines.Add($"No significant difference between {a.Label} and {b.Label} on any of the {metrics.Count} metrics: either will do for this suite. "
                + $"To tell them apart, run more iterations ({Detectable(accuracy.MinimumDetectableEffect, "an accuracy difference")}).");
        }
        else
        {
            lines.Add(Overall(outcome, winsA, winsB));
            foreach (var metric in metrics.Where(m => m.Winner is not null))
            {
                var (winner, loser) = metric.Winner == a.Ref ? (a, b) : (b, a);
                var (headline, figures) = Detail(metric, winner, loser, outcome);
                var line = $"Use {winner.Label} for {ComparedMetrics.Purpose(metric.Metric)} work: {headline}, {figures} ({Evidence(metric)})";
                var tradeOffs = metrics.Where(m => m.Winner == loser.Ref).Select(m => Detail(m, loser, winner, outcome).Headline).ToList();
                lines.Add(tradeOffs.Count == 0 ? line + "." : $"{line}; {loser.Label} is {string.Join(" and ", tradeOffs)}.");
            }

            var tied = metrics.Where(m => m.Winner is null).Select(m => m.Metric).ToList();
            if (tied.Count > 0)
            {
                lines.Add($"No significant difference in {Join(tied)}.");
            }
        }

        // With a single category the category's answer is the overall one; repeating it would add nothing.
        if (outcome.Categories.Count > 1)
        {
            lines.AddRange(outcome.Categories.Select(c => Category(c, a, b)));
        }

        return lines;
    }

    private static string Overall(PairOutcome outcome, List<MetricComparison> winsA, List<MetricComparison> winsB)
    {
        var (a, b) = (outcome.AgentA, outcome.AgentB);
        if (outcome.OverallWinner is null)
        {
            return $"Neither wins overall: {a.Label} is significantly better on {Names(winsA)}, {b.Label} on {Names(winsB)}; choose by what matters most for the work.";
        }

        var (winner, loser, won, lost) = outcome.OverallWinner == a.Ref ? (a, b, winsA, winsB) : (b, a, winsB, winsA);
        var line = $"Overall, prefer {winner.Label}: significantly better on {won.Count} of {outcome.DetailedMetrics.Count} metrics ({Names(won)})";
        return lost.Count == 0 ? line + "." : $"{line}; {loser.Label} is better on {Names(lost)}.";
    }

    private static string Category(CategoryComparison category, AgentExecutions a, AgentExecutions b)
    {
        var winsA = category.DetailedMetrics.Where(m => m.Winner == a.Ref).ToList();
        var winsB = category.DetailedMetrics.Where(m => m.Winner == b.Ref).ToList();
        if (category.Winner is null)
        {
            return winsA.Count == 0
                ? $"For {category.Category} benchmarks, no significant difference between {a.Label} and {b.Label}."
                : $"For {category.Category} benchmarks, neither wins: {a.Label} is significantly better on {Names(winsA)}, {b.Label} on {Names(winsB)}.";
        }

        var (winner, loser, won, lost) = category.Winner == a.Ref ? (a, b, winsA, winsB) : (b, a, winsB, winsA);
        var line = $"For {category.Category} benchmarks, use {winner.Label}: significantly better on {won.Count} of {category.DetailedMetrics.Count} metrics there ({Names(won)})";
        return lost.Count == 0 ? line + "." : $"{line}; {loser.Label} is better on {Names(lost)}.";
    }

    /// <summary>
    /// What the winner's lead means in practice, as a headline ("2.1× cheaper per task") and its figures ("$0.00113 vs
    /// $0.00242"): points of accuracy and reliability; for speed, efficiency and cost the raw per-task figures as a ratio
    /// where they agree with the score (else the score's points). Trade-offs quote the headline only.
    /// </summary>
    private static (string Headline, string Figures) Detail(MetricComparison metric, AgentExecutions winner, AgentExecutions loser, PairOutcome outcome)
    {
        var winnerIsA = winner.Ref == outcome.AgentA.Ref;
        var (won, lost) = winnerIsA ? (metric.AgentAScore, metric.AgentBScore) : (metric.AgentBScore, metric.AgentAScore);
        var points = Points(Math.Abs(metric.Difference));
        var (w, l) = (winner.MeanFigures, loser.MeanFigures);
        return metric.Metric switch
        {
            ComparedMetrics.Accuracy => ($"{points} points more accurate", $"{Percent(won)} vs {Percent(lost)}"),
            ComparedMetrics.Reliability => ($"{points} points more reliable", $"error rate {Percent(w.ErrorRate)} vs {Percent(l.ErrorRate)}"),
            ComparedMetrics.Speed when Ratio(l.MedianLatencyMs, w.MedianLatencyMs) is { } ratio =>
                ($"{ratio} faster", $"median latency {w.MedianLatencyMs.ToString("0", Invariant)} ms vs {l.MedianLatencyMs.ToString("0", Invariant)} ms"),
            ComparedMetrics.Efficiency when Ratio(l.MeanTokensPerTask, w.MeanTokensPerTask) is { } ratio =>
                ($"{ratio} more token-efficient", $"{w.MeanTokensPerTask.ToString("0", Invariant)} vs {l.MeanTokensPerTask.ToString("0", Invariant)} tokens per task"),
            ComparedMetrics.Cost when Ratio(l.MeanCostPerTaskUsd, w.MeanCostPerTaskUsd) is { } ratio =>
                ($"{ratio} cheaper per task", $"{Usd(w.MeanCostPerTaskUsd)} vs {Usd(l.MeanCostPerTaskUsd)}"),
            _ => ($"{points} points better on the {metric.Metric} score", $"{won.ToString("0.000", Invariant)} vs {lost.ToString("0.000", Invariant)}"),
        };
    }

    /// <summary>Three significant digits: $0.00113, $0.0242, $1.25.</summary>
    private static string Usd(double usd) =>
        "$" + (usd <= 0 ? 0 : Math.Round(usd, Math.Clamp(2 - (int)Math.Floor(Math.Log10(usd)), 0, 15))).ToString("0.###############", Invariant);

    /// <summary>
    /// What the data could detect. A single value per side has no spread to size it from (the engine's MDE is then 0),
    /// which is not "any difference is detectable" but "too few samples".
    /// </summary>
    private static string Detectable(double minimumDetectableEffect, string what) =>
        double.IsFinite(minimumDetectableEffect) && minimumDetectableEffect > 0
            ? $"these data detect {what} of {Points(minimumDetectableEffect)} points or more"
            : "these data are too few to size a detectable difference";

    /// <summary>"2.1×" when the loser's figure is above the winner's (both positive), else null.</summary>
    private static string? Ratio(double loser, double winner) =>
        winner > 0 && loser > winner ? (loser / winner).ToString("0.0", Invariant) + "×" : null;

    private static string Evidence(MetricComparison metric)
    {
        var s = metric.StatisticalSignificance;
        var samples = s.AgentASamples == s.AgentBSamples
            ? $"{s.AgentASamples} {s.SampleUnit}"
            : $"{s.AgentASamples} vs {s.AgentBSamples} {s.SampleUnit}";
        return $"p{Bound(s.PValue)}, {samples}";
    }

    private static string Names(List<MetricComparison> metrics) => Join(metrics.Select(m => m.Metric).ToList());

    private static string Join(IReadOnlyList<string> names) => names.Count switch
    {
        0 => "none",
        1 => names[0],
        _ => string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1],
    };

    private static string Confidence(SignificanceResult s) => Math.Round(s.IntervalConfidence * 100).ToString("0", Invariant) + " %";

    private static string Points(double fraction) => (fraction * 100).ToString("0.0", Invariant);

    private static string Percent(double fraction) => fraction.ToString("0.0%", Invariant);

    private static string P(double p) => p.ToString("0.###", Invariant);

    /// <summary>"=0.003", or "&lt;0.001" for what three decimals would show as 0.</summary>
    private static string Bound(double p) => p < 0.001 ? "<0.001" : "=" + P(p);
}
