using BenchMesh.Leaderboard.Data;

namespace BenchMesh.Leaderboard.Ranking;

/// <summary>
/// Ranks the rows an answer shows among themselves. The analytics views keep the specification's SQL verbatim and so
/// rank every workspace's agents together; an answer holds the caller's workspace's rows only, and ranks them again
/// here with the views' own semantics, <c>RANK() OVER (ORDER BY score DESC)</c>: rows with equal scores share a rank, and
/// the next rank skips as many places as were shared (1, 2, 2, 4). Scores compare exactly, as PostgreSQL compares the
/// double precision averages the views hold, so a board of one workspace gets the ranks the views would give it alone.
/// </summary>
public static class WorkspaceRanks
{
    /// <summary>Sets every rank of <paramref name="rows"/> (one board, or the matrix) from their scores.</summary>
    public static void RankWithin<T>(IReadOnlyList<T> rows) where T : IRankedRow
    {
        var accuracy = Ranks(rows, r => r.AvgAccuracy);
        var speed = Ranks(rows, r => r.AvgSpeed);
        var efficiency = Ranks(rows, r => r.AvgEfficiency);
        var cost = Ranks(rows, r => r.AvgCost);
        var reliability = Ranks(rows, r => r.AvgReliability);
        var overall = Ranks(rows, r => r.OverallScore);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            row.AccuracyRank = accuracy[i];
            row.SpeedRank = speed[i];
            row.EfficiencyRank = efficiency[i];
            row.CostRank = cost[i];
            row.ReliabilityRank = reliability[i];
            row.OverallRank = overall[i];
        }
    }

    /// <summary>The leaderboard's rows, with §5.1's best_ranking (the least of the five specification ranks) again.</summary>
    public static void RankBoard(IReadOnlyList<LeaderboardRow> board)
    {
        RankWithin<LeaderboardRow>(board);
        foreach (var row in board)
        {
            row.BestRanking = new[] { row.AccuracyRank, row.SpeedRank, row.EfficiencyRank, row.CostRank, row.ReliabilityRank }.Min();
        }
    }

    /// <summary>RANK() by descending score: 1 + the number of rows with a strictly higher score.</summary>
    public static long[] Ranks<T>(IReadOnlyList<T> rows, Func<T, double> score)
    {
        var order = Enumerable.Range(0, rows.Count).OrderByDescending(i => score(rows[i])).ToArray();
        var ranks = new long[rows.Count];
        for (var k = 0; k < order.Length; k++)
        {
            ranks[order[k]] = k > 0 && score(rows[order[k]]) == score(rows[order[k - 1]]) ? ranks[order[k - 1]] : k + 1;
        }

        return ranks;
    }
}
