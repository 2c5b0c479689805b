namespace BenchMesh.Leaderboard.Data;

/// <summary>
/// A row of the materialized view <c>leaderboard.benchmark_leaderboard</c> (§5.1): one agent (or agent version) in one
/// suite category, over the executions of the last 30 days. The view holds four boards side by side, keyed by
/// <see cref="Statuses"/> and <see cref="ByVersion"/>; ranks are within one board and one category, among every
/// workspace's agents until an answer re-ranks its rows within the caller's workspace.
/// </summary>
public sealed class LeaderboardRow : IRankedRow
{
    /// <summary><c>all</c> (the specification's: every execution, failed ones included) or <c>success</c>.</summary>
    public required string Statuses { get; init; }

    /// <summary>True when the rows are agent versions; false when all of an agent's versions are averaged together.</summary>
    public bool ByVersion { get; init; }

    /// <summary>The suite category, or <c>overall</c> for every category together.</summary>
    public required string BenchmarkCategory { get; init; }
    public Guid AgentId { get; init; }

    /// <summary>The version, or the empty string when <see cref="ByVersion"/> is false.</summary>
    public required string AgentVersion { get; init; }
    public required string AgentName { get; init; }
    public double AvgAccuracy { get; init; }
    public double AvgSpeed { get; init; }
    public double AvgEfficiency { get; init; }
    public double AvgCost { get; init; }
    public double AvgReliability { get; init; }

    /// <summary>The §3.1 weighting of the five averages (not part of §5.1, and not counted in <see cref="BestRanking"/>).</summary>
    public double OverallScore { get; init; }
    public long AccuracyRank { get; set; }
    public long SpeedRank { get; set; }
    public long EfficiencyRank { get; set; }
    public long CostRank { get; set; }
    public long ReliabilityRank { get; set; }
    public long OverallRank { get; set; }
    public long BenchmarksCompleted { get; init; }
    public long Executions { get; init; }
    public DateTimeOffset LastBenchmarkDate { get; init; }

    /// <summary>The best of the five specification ranks (§5.1's LEAST).</summary>
    public long BestRanking { get; set; }

    /// <summary>The executions averaged into the row, so that the rank bootstrap resamples exactly those.</summary>
    public required Guid[] ExecutionIds { get; init; }
}
