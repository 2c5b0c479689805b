using BenchMesh.Statistics.Procedures;

namespace BenchMesh.Leaderboard.Tests;

public class RankBootstrapTests
{
    /// <summary>One execution of <paramref name="items"/> single-attempt items, <paramref name="correct"/> right.</summary>
    private static IReadOnlyList<BootstrapGroup> Agent(int correct, int items = 100) =>
        [new BootstrapGroup((double)correct / items, Enumerable.Range(0, items).Select(i => new ResampleUnit(i < correct ? 1 : 0, 1)).ToList())];

    [Fact]
    public void A_clear_leader_ranks_first_in_every_replicate()
    {
        var intervals = RankBootstrap.Intervals([Agent(95), Agent(50), Agent(48)]);
        Assert.Equal(new RankInterval(1, 1), intervals[0]);
        Assert.False(intervals[0].Overlaps(intervals[1]));
        Assert.True(intervals[1].Overlaps(intervals[2])); // 50 vs 48 of 100: either may be second
        Assert.Equal(new RankInterval(2, 3), intervals[1]);
    }

    [Fact]
    public void Near_identical_agents_share_the_rank_interval()
    {
        var intervals = RankBootstrap.Intervals([Agent(50), Agent(51)]);
        Assert.Equal(new RankInterval(1, 2), intervals[0]);
        Assert.Equal(new RankInterval(1, 2), intervals[1]);
    }

    [Fact]
    public void Groups_without_units_keep_their_score_and_equal_scores_share_a_rank()
    {
        IReadOnlyList<BootstrapGroup> Fixed(double score) => [new BootstrapGroup(score, [])];
        var intervals = RankBootstrap.Intervals([Fixed(0.5), Fixed(0.9), Fixed(0.5)]);
        Assert.Equal([new RankInterval(2, 2), new RankInterval(1, 1), new RankInterval(2, 2)], intervals);
    }

    [Fact]
    public void The_same_seed_gives_the_same_intervals_and_the_shift_keeps_partial_credit()
    {
        // Observed scores with partial credit (0.62 where 6 of 10 items are right) stay the centre of the replicates.
        IReadOnlyList<IReadOnlyList<BootstrapGroup>> entities =
        [
            [new BootstrapGroup(0.62, Enumerable.Range(0, 10).Select(i => new ResampleUnit(i < 6 ? 1 : 0, 1)).ToList())],
            [new BootstrapGroup(0.60, Enumerable.Range(0, 10).Select(i => new ResampleUnit(i < 6 ? 1 : 0, 1)).ToList())],
        ];
        Assert.Equal(RankBootstrap.Intervals(entities, seed: 7), RankBootstrap.Intervals(entities, seed: 7));
        Assert.Equal(new RankInterval(1, 2), RankBootstrap.Intervals(entities)[0]);
    }
}
