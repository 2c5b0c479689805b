using System.Data;
using BenchMesh.Leaderboard.Apis;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Persistence;
using BenchMesh.Statistics.Procedures;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Leaderboard.Ranking;

/// <summary>One board as an answer shows it: a workspace's rows of one statuses, grouping and category.</summary>
public sealed record BoardKey(string WorkspaceId, string Statuses, bool ByVersion, string Category);

/// <summary>A board's rows (ranked within the workspace) with each row's rank interval, in the same order.</summary>
public sealed record RankedBoard(IReadOnlyList<LeaderboardRow> Rows, IReadOnlyList<RankUncertaintyResult> Uncertainty);

/// <summary>
/// The rank intervals of a board, computed once per view refresh and stored (<see cref="StoredRankInterval"/>), so that
/// an answer only reads rows: the bootstrap (<see cref="RankUncertainty"/>) resamples every item of every execution of
/// the board's window, seconds of CPU at millions of executions. The intervals depend on the board's rows only (the
/// workspace, statuses, grouping and category); the metric and the limit an answer asks for only choose and order the
/// rows shown, so every filter combination reads stored intervals. The first answer of a board after a refresh computes
/// and stores them (exactly as an answer computed them before, same seed, same rows); after each refresh
/// <see cref="RecomputeAskedAsync"/> computes again the boards asked since the previous one, so that answers of boards
/// in use do not pay it.
/// </summary>
public static class StoredRankIntervals
{
    /// <summary>The board's rows, ranked within the workspace, and their intervals (stored, else computed and stored).</summary>
    public static async Task<RankedBoard> BoardAsync(LeaderboardDbContext db, BoardKey key, CancellationToken ct)
    {
        // One snapshot: the views, their refresh number and the stored intervals agree (REPEATABLE READ).
        var (generation, board, stored) = await db.InTransactionAsync(IsolationLevel.RepeatableRead, async token =>
        {
            var generation = await db.ViewGenerations.Where(g => g.Id == ViewGeneration.SingleId).Select(g => g.Generation).SingleAsync(token);
            var stored = await db.RankIntervals.AsNoTracking()
                .Where(r => r.WorkspaceId == key.WorkspaceId && r.Statuses == key.Statuses && r.ByVersion == key.ByVersion
                    && r.BenchmarkCategory == key.Category && r.Generation == generation)
                .ToDictionaryAsync(r => (r.AgentId, r.AgentVersion), r => new RankUncertaintyResult(new RankInterval(r.Low, r.High), r.TiedWithLeader), token);
            // The execution ids (the bootstrap's input, the bulk of a row at scale) only when the intervals are not stored.
            var board = await WithoutExecutionIds(Rows(db, key)).ToListAsync(token);
            if (board.Count > 0 && board.All(r => stored.ContainsKey((r.AgentId, r.AgentVersion))))
            {
                return (generation, board, (Dictionary<(Guid, string), RankUncertaintyResult>?)stored);
            }

            return (generation, await Rows(db, key).ToListAsync(token), null);
        }, ct);
        WorkspaceRanks.RankBoard(board);
        if (stored is not null)
        {
            return new RankedBoard(board, board.Select(r => stored[(r.AgentId, r.AgentVersion)]).ToList());
        }

        var uncertainty = await RankUncertainty.ForBoardAsync(db, board, ct);
        await StoreAsync(db, key, generation, board, uncertainty, ct);
        return new RankedBoard(board, uncertainty);
    }

    /// <summary>
    /// After a refresh (<paramref name="generation"/> is its number): computes the intervals of every board asked under
    /// the previous refresh, then deletes the older ones. A board nobody asked for since the previous refresh is not kept.
    /// </summary>
    public static async Task RecomputeAskedAsync(LeaderboardDbContext db, long generation, CancellationToken ct)
    {
        var asked = await db.RankIntervals
            .Where(r => r.Generation == generation - 1)
            .Select(r => new { r.WorkspaceId, r.Statuses, r.ByVersion, r.BenchmarkCategory })
            .Distinct()
            .ToListAsync(ct);
        foreach (var board in asked)
        {
            await BoardAsync(db, new BoardKey(board.WorkspaceId, board.Statuses, board.ByVersion, board.BenchmarkCategory), ct);
        }

        await db.RankIntervals.Where(r => r.Generation < generation).ExecuteDeleteAsync(ct);
    }

    private static IQueryable<LeaderboardRow> Rows(LeaderboardDbContext db, BoardKey key)
    {
        var visible = db.VisibleAgents(key.WorkspaceId);
        return db.Leaderboard.AsNoTracking()
            .Where(r => r.Statuses == key.Statuses && r.ByVersion == key.ByVersion && r.BenchmarkCategory == key.Category
                && visible.Contains(r.AgentId));
    }

    private static IQueryable<LeaderboardRow> WithoutExecutionIds(IQueryable<LeaderboardRow> rows) => rows.Select(r => new LeaderboardRow
    {
        Statuses = r.Statuses,
        ByVersion = r.ByVersion,
        BenchmarkCategory = r.BenchmarkCategory,
        AgentId = r.AgentId,
        AgentVersion = r.AgentVersion,
        AgentName = r.AgentName,
        AvgAccuracy = r.AvgAccuracy,
        AvgSpeed = r.AvgSpeed,
        AvgEfficiency = r.AvgEfficiency,
        AvgCost = r.AvgCost,
        AvgReliability = r.AvgReliability,
        OverallScore = r.OverallScore,
        AccuracyRank = r.AccuracyRank,
        SpeedRank = r.SpeedRank,
        EfficiencyRank = r.EfficiencyRank,
        CostRank = r.CostRank,
        ReliabilityRank = r.ReliabilityRank,
        OverallRank = r.OverallRank,
        BenchmarksCompleted = r.BenchmarksCompleted,
        Executions = r.Executions,
        LastBenchmarkDate = r.LastBenchmarkDate,
        BestRanking = r.BestRanking,
        ExecutionIds = Array.Empty<Guid>(),
    });

    private static async Task StoreAsync(
        LeaderboardDbContext db, BoardKey key, long generation, IReadOnlyList<LeaderboardRow> board,
        IReadOnlyList<RankUncertaintyResult> uncertainty, CancellationToken ct)
    {
        if (board.Count == 0)
        {
            return;
        }

        db.RankIntervals.AddRange(board.Select((r, i) => new StoredRankInterval
        {
            WorkspaceId = key.WorkspaceId,
            Statuses = key.Statuses,
            ByVersion = key.ByVersion,
            BenchmarkCategory = key.Category,
            Generation = generation,
            AgentId = r.AgentId,
            AgentVersion = r.AgentVersion,
            Low = uncertainty[i].Interval.Low,
            High = uncertainty[i].Interval.High,
            TiedWithLeader = uncertainty[i].TiedWithLeader,
        }));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent answer (or the refresher) stored the same board of the same refresh: the same intervals.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
