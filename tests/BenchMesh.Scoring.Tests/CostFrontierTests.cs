using BenchMesh.Scoring.CostAnalysis;

namespace BenchMesh.Scoring.Tests;

public sealed class CostFrontierTests
{
    [Fact]
    public void A_point_as_good_as_the_best_at_its_cost_but_dearer_than_an_equal_one_is_far_from_the_frontier()
    {
        // B performs like A at ten times the cost: on performance alone it would look efficient (1.0).
        var positions = CostFrontier.Locate([new(1m, 0.5), new(10m, 0.5)]);

        Assert.True(positions[0].OnFrontier);
        Assert.False(positions[1].OnFrontier);
        Assert.Equal(1.0, positions[1].PerformanceEfficiency, 9);
        Assert.Equal(0.1, positions[1].CostEfficiency, 9);
        Assert.Equal(0.1, positions[1].EfficiencyScore, 9);
    }

    [Fact]
    public void The_frontier_is_a_step_not_a_hull_so_a_point_between_two_others_stays_on_it()
    {
        // (2, 0.3) lies below the line from (1, 0.2) to (3, 0.9), but no configuration gets more than 0.3 for $2.
        var positions = CostFrontier.Locate([new(1m, 0.2), new(2m, 0.3), new(3m, 0.9)]);

        Assert.All(positions, p => Assert.True(p.OnFrontier));
        Assert.All(positions, p => Assert.Equal(1.0, p.EfficiencyScore, 9));
    }

    [Fact]
    public void Identical_points_are_both_on_the_frontier_and_zero_performance_everywhere_keeps_the_cheapest()
    {
        var twins = CostFrontier.Locate([new(2m, 0.4), new(2m, 0.4)]);
        Assert.All(twins, p => Assert.True(p.OnFrontier));

        var nothing = CostFrontier.Locate([new(0m, 0), new(1m, 0)]);
        Assert.True(nothing[0].OnFrontier);
        Assert.Equal(1.0, nothing[0].EfficiencyScore, 9);
        Assert.False(nothing[1].OnFrontier);
        Assert.Equal(0.0, nothing[1].CostEfficiency, 9); // a free configuration does as well
    }

    [Fact]
    public void On_the_frontier_exactly_when_the_efficiency_is_one()
    {
        var random = new Random(20261206);
        for (var round = 0; round < 200; round++)
        {
            // Coarse values so that ties in cost and performance happen often.
            var points = Enumerable.Range(0, random.Next(1, 9))
                .Select(_ => new FrontierPoint(random.Next(0, 6) / 100m, random.Next(0, 6) / 5.0))
                .ToList();

            var positions = CostFrontier.Locate(points);

            for (var i = 0; i < points.Count; i++)
            {
                Assert.InRange(positions[i].EfficiencyScore, 0, 1);
                Assert.Equal(positions[i].OnFrontier, positions[i].EfficiencyScore == 1);
            }
        }
    }
}
