namespace BenchMesh.Leaderboard.Data;

/// <summary>
/// A row of the materialized view <c>leaderboard.agent_comparison_matrix</c> (§3.1): one agent, over the latest
/// successful execution of each benchmark it ran (any version, any time). Ranks are among every agent in the view.
/// </summary>
public sealed class ComparisonMatrixRow
{
    public Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public double AvgAccuracy { get; init; }
    public double AvgSpeed { get; init; }
    public double AvgEfficiency { get; init; }
    public double AvgCost { get; init; }
    public double AvgReliability { get; init; }
    public long AccuracyRank { get; init; }
    public long SpeedRank { get; init; }
    public long EfficiencyRank { get; init; }
    public long CostRank { get; init; }
    public long ReliabilityRank { get; init; }
    public double OverallScore { get; init; }
    public long OverallRank { get; init; }
    public long BenchmarksCompleted { get; init; }
}
