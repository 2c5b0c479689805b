namespace BenchMesh.Leaderboard.Data;

/// <summary>
/// A row of the materialized view <c>leaderboard.agent_comparison_matrix</c> (§3.1): one agent, over the latest
/// successful execution of each benchmark it ran (any version, any time). Ranks are among every agent in the view,
/// until an answer re-ranks its rows within the caller's workspace.
/// </summary>
public sealed class ComparisonMatrixRow : IRankedRow
{
    public Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public double AvgAccuracy { get; init; }
    public double AvgSpeed { get; init; }
    public double AvgEfficiency { get; init; }
    public double AvgCost { get; init; }
    public double AvgReliability { get; init; }
    public long AccuracyRank { get; set; }
    public long SpeedRank { get; set; }
    public long EfficiencyRank { get; set; }
    public long CostRank { get; set; }
    public long ReliabilityRank { get; set; }
    public double OverallScore { get; init; }
    public long OverallRank { get; set; }
    public long BenchmarksCompleted { get; init; }
}
