namespace BenchMesh.Leaderboard.Data;

/// <summary>
/// One leaderboard row's accuracy-rank interval, computed once per view refresh (<see cref="ViewGeneration"/>) for the
/// board it belongs to: the caller's workspace, the statuses, the grouping and the category (Ranking/StoredRankIntervals).
/// The metric and the limit of an answer do not change a board's rows, so every answer of that board reads these rows.
/// </summary>
public sealed class StoredRankInterval
{
    public required string WorkspaceId { get; init; }
    public required string Statuses { get; init; }
    public bool ByVersion { get; init; }
    public required string BenchmarkCategory { get; init; }

    /// <summary>The view refresh the interval was computed from; rows of an older one are ignored and then deleted.</summary>
    public long Generation { get; init; }
    public Guid AgentId { get; init; }

    /// <summary>The version, or the empty string on a per-agent board (as the view holds it).</summary>
    public required string AgentVersion { get; init; }
    public int Low { get; init; }
    public int High { get; init; }
    public bool TiedWithLeader { get; init; }
}
