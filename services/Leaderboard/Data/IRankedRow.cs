namespace BenchMesh.Leaderboard.Data;

/// <summary>
/// What the rows of both analytics views share: one agent's five average scores and the §3.1 overall score, each with
/// its rank. The ranks are settable because the views rank every agent, and an answer re-ranks the rows of the
/// caller's workspace among themselves (<see cref="Ranking.WorkspaceRanks"/>).
/// </summary>
public interface IRankedRow
{
    Guid AgentId { get; }
    double AvgAccuracy { get; }
    double AvgSpeed { get; }
    double AvgEfficiency { get; }
    double AvgCost { get; }
    double AvgReliability { get; }
    double OverallScore { get; }
    long AccuracyRank { get; set; }
    long SpeedRank { get; set; }
    long EfficiencyRank { get; set; }
    long CostRank { get; set; }
    long ReliabilityRank { get; set; }
    long OverallRank { get; set; }
}
