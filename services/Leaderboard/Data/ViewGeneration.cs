namespace BenchMesh.Leaderboard.Data;

/// <summary>
/// The number of the views' latest refresh (one row): ViewRefresher adds one in the refresh's own transaction, so a
/// reader that sees the refreshed views sees the new number, and stored rank intervals are matched to the views by it.
/// </summary>
public sealed class ViewGeneration
{
    public const int SingleId = 1;

    public int Id { get; init; }
    public long Generation { get; set; }
}
