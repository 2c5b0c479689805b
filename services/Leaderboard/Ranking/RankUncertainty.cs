using System.Text.Json;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.Statistics.Procedures;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Leaderboard.Ranking;

/// <summary>A board row's 95 % accuracy-rank interval and whether it is statistically tied with the leader.</summary>
public sealed record RankUncertaintyResult(RankInterval Interval, bool TiedWithLeader);

/// <summary>
/// How sure a board's accuracy ranks are. Each row's accuracy is the mean of its executions' accuracy scores; the
/// bootstrap (<see cref="RankBootstrap"/>, 1,000 replicates, fixed seed) resamples each execution's items (its
/// <c>item_outcomes</c>: successes out of attempts per item), or, for an execution without item outcomes, its
/// measured passes (per-pass accuracy), and ranks every row of the board on each replicate. The leader is the row
/// (or rows) ranked 1 on accuracy; a row is tied with the leader when their intervals overlap, and the leader itself
/// when any other row is. A replicate costs one draw per unit of the board, so a board of more than
/// <see cref="DrawBudget"/> / 1,000 units gets fewer replicates (never fewer than <see cref="MinReplicates"/>).
/// </summary>
public static class RankUncertainty
{
    public const int Replicates = RankBootstrap.DefaultReplicates;
    public const int MinReplicates = 200;

    /// <summary>Unit draws per answer, which bounds a big board's bootstrap (measured: 2·10⁷ draws took 4.9 s on a loaded 2-core machine).</summary>
    public const long DrawBudget = 10_000_000;
    public const double Confidence = 0.95;
    public const int Seed = 20_261_206;

    public static async Task<IReadOnlyList<RankUncertaintyResult>> ForBoardAsync(
        LeaderboardDbContext db, IReadOnlyList<LeaderboardRow> board, CancellationToken ct)
    {
        var ids = board.SelectMany(r => r.ExecutionIds).Distinct().ToList();
        var executions = await db.Scores
            .Where(s => ids.Contains(s.ExecutionId))
            .Select(s => new { s.ExecutionId, s.AccuracyScore, s.ItemOutcomes, s.PerIteration })
            .AsNoTracking()
            .ToDictionaryAsync(s => s.ExecutionId, s => new BootstrapGroup(s.AccuracyScore, Units(s.ItemOutcomes, s.PerIteration)), ct);

        // The bootstrap's draws follow the order of its input: the view's execution ids are sorted, and the rows are
        // put in a fixed order here, so that the same board always gets the same intervals.
        var order = Enumerable.Range(0, board.Count)
            .OrderBy(i => board[i].AgentId)
            .ThenBy(i => board[i].AgentVersion, StringComparer.Ordinal)
            .ToArray();
        var entities = order.Select(i => (IReadOnlyList<BootstrapGroup>)board[i].ExecutionIds.Select(id => executions[id]).ToList()).ToList();
        var units = entities.Sum(e => e.Sum(g => (long)g.Units.Count));
        var replicates = (int)Math.Clamp(DrawBudget / Math.Max(1, units), MinReplicates, Replicates);
        var intervals = RankBootstrap.Intervals(entities, replicates, Confidence, Seed);
        var byRow = new RankInterval[board.Count];
        for (var k = 0; k < order.Length; k++)
        {
            byRow[order[k]] = intervals[k];
        }

        var leaders = Enumerable.Range(0, board.Count).Where(i => board[i].AccuracyRank == 1).ToList();
        return Enumerable.Range(0, board.Count).Select(i => new RankUncertaintyResult(
            byRow[i],
            board[i].AccuracyRank == 1
                ? Enumerable.Range(0, board.Count).Any(j => j != i && byRow[j].Overlaps(byRow[i]))
                : leaders.Any(l => byRow[l].Overlaps(byRow[i])))).ToList();
    }

    /// <summary>The items in id order (successes, attempts), else the measured passes (accuracy, 1).</summary>
    private static List<ResampleUnit> Units(string itemOutcomes, string perIteration)
    {
        var items = JsonSerializer.Deserialize<Dictionary<string, int[]>>(itemOutcomes) ?? [];
        if (items.Count > 0)
        {
            return items
                .Where(kv => kv.Value.Length == 2)
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new ResampleUnit(kv.Value[0], kv.Value[1]))
                .ToList();
        }

        var passes = JsonSerializer.Deserialize<List<IterationMetrics>>(perIteration, ServiceDefaultsExtensions.PublicJson) ?? [];
        return passes.Select(p => new ResampleUnit(p.Accuracy, 1)).ToList();
    }
}
