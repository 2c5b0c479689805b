namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>A configuration as the frontier sees it: what a task costs and how well it performs.</summary>
public readonly record struct FrontierPoint(decimal CostPerTaskUsd, double Performance);

/// <summary>
/// Where a point stands against the cost–performance frontier of its set (docs/cost-analysis.md, "Efficiency").
/// </summary>
/// <param name="OnFrontier">No point of the set is at most as costly and at least as good, and strictly one of the two.</param>
/// <param name="PerformanceEfficiency">Its performance over the best performance of any point costing no more (1 when that best is 0).</param>
/// <param name="CostEfficiency">The lowest cost of any point performing at least as well, over its cost (1 when its cost is 0).</param>
/// <param name="EfficiencyScore">The smaller of the two: 1 exactly on the frontier.</param>
public sealed record FrontierPosition(bool OnFrontier, double PerformanceEfficiency, double CostEfficiency, double EfficiencyScore);

/// <summary>
/// The cost–performance Pareto frontier of a set of configurations and each one's distance from it. The frontier is the
/// free-disposal hull (a step function: what is reachable at a cost is the best of anything costing no more), not a
/// convex DEA hull: configurations cannot be mixed, so a point between two others is not something one can buy.
/// Measuring in both directions matters: a point as good as the best at its cost but ten times as expensive as an
/// equally good one is 1 on performance alone, 0.1 on cost.
/// </summary>
public static class CostFrontier
{
    public static IReadOnlyList<FrontierPosition> Locate(IReadOnlyList<FrontierPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var positions = new FrontierPosition[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];

            // The point itself is in both sets, so the best reachable performance is ≥ its own and the lowest cost ≤ its own.
            var bestAtCost = points.Where(q => q.CostPerTaskUsd <= p.CostPerTaskUsd).Max(q => q.Performance);
            var cheapestAsGood = points.Where(q => q.Performance >= p.Performance).Min(q => q.CostPerTaskUsd);
            var performanceEfficiency = bestAtCost <= 0 ? 1 : p.Performance / bestAtCost;
            var costEfficiency = p.CostPerTaskUsd <= 0 ? 1 : (double)(cheapestAsGood / p.CostPerTaskUsd);
            var dominated = points.Any(q =>
                q.CostPerTaskUsd <= p.CostPerTaskUsd && q.Performance >= p.Performance
                && (q.CostPerTaskUsd < p.CostPerTaskUsd || q.Performance > p.Performance));
            positions[i] = new FrontierPosition(!dominated, performanceEfficiency, costEfficiency, Math.Min(performanceEfficiency, costEfficiency));
        }

        return positions;
    }
}
