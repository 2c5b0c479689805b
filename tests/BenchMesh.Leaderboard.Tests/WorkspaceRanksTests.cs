using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Ranking;

namespace BenchMesh.Leaderboard.Tests;

/// <summary>The re-ranking of a workspace's rows against the definition of SQL's RANK() over a descending score.</summary>
public sealed class WorkspaceRanksTests
{
    [Fact]
    public void Ties_share_a_rank_and_the_next_rank_skips_the_places_shared()
    {
        var board = new[] { 0.5, 0.9, 0.5, 0.2, 0.9, 0.5 }.Select(a => Row(a)).ToList();

        WorkspaceRanks.RankBoard(board);

        Assert.Equal([3, 1, 3, 6, 1, 3], board.Select(r => r.AccuracyRank));
        Assert.All(board, r => Assert.Equal(1, r.SpeedRank)); // every speed equal: all first
        Assert.All(board, r => Assert.Equal(1, r.BestRanking)); // first on speed
    }

    [Fact]
    public void Random_boards_get_one_plus_the_number_of_strictly_better_rows()
    {
        var random = new Random(20261206);
        for (var round = 0; round < 200; round++)
        {
            // Coarse scores, so that ties are frequent.
            var board = Enumerable.Range(0, random.Next(0, 12)).Select(_ => Row(random.Next(0, 5) / 4.0, random.Next(0, 3) / 2.0)).ToList();

            WorkspaceRanks.RankBoard(board);

            foreach (var row in board)
            {
                Assert.Equal(1 + board.Count(o => o.AvgAccuracy > row.AvgAccuracy), row.AccuracyRank);
                Assert.Equal(1 + board.Count(o => o.AvgCost > row.AvgCost), row.CostRank);
                Assert.Equal(1 + board.Count(o => o.OverallScore > row.OverallScore), row.OverallRank);
                Assert.Equal(new[] { row.AccuracyRank, row.SpeedRank, row.EfficiencyRank, row.CostRank, row.ReliabilityRank }.Min(), row.BestRanking);
            }
        }
    }

    private static LeaderboardRow Row(double accuracy) => Row(accuracy, 0.5);

    private static LeaderboardRow Row(double accuracy, double cost) => new()
    {
        Statuses = "all",
        BenchmarkCategory = "overall",
        AgentId = Guid.NewGuid(),
        AgentVersion = "",
        AgentName = "agent",
        AvgAccuracy = accuracy,
        AvgSpeed = 0.5,
        AvgEfficiency = 0.5,
        AvgCost = cost,
        AvgReliability = 0.5,
        OverallScore = accuracy * 0.3 + cost * 0.15,
        ExecutionIds = [],
        // The view's ranks, among every workspace: to be replaced.
        AccuracyRank = 99,
        OverallRank = 99,
        BestRanking = 99,
    };
}
