using BenchMesh.LoadEngine.BreakingPoints;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Thresholds;

namespace BenchMesh.LoadEngine.Tests;

public sealed class BreakingPointTests(TestTargetFixture fixture) : IClassFixture<TestTargetFixture>
{
    /// <summary>
    /// Before a capacity search: a freshly started test server answers its first requests slowly (JIT, connection set-up),
    /// which at 100 requests a second piles a burst onto the /capacity token bucket and fails a sustainable step; and a
    /// test that ends overloading the bucket leaves a backlog behind. So each search first warms the server up with a
    /// few sequential requests, then waits for the backlog to drain and the bucket to refill.
    /// </summary>
    private async Task QuietCapacityAsync()
    {
        using var http = new HttpClient();
        for (var i = 0; i < 20; i++)
        {
            using var _ = await http.GetAsync(fixture.Target.Url(i % 2 == 0 ? "/" : "/capacity"));
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Stepping_the_rate_finds_the_capacity_of_a_server_that_answers_503_above_it()
    {
        await QuietCapacityAsync();
        // /capacity serves 250 requests a second (bursts of 125) and answers 503 to the rest: over a one-second step at
        // 700/s, 375 pass and 46 % fail. The threshold is 30 % so that at 100/s only a stall of over a second (other
        // test classes run at the same time) could fail the step.
        var result = await BreakingPointSearch.RunAsync(new BreakingPointOptions
        {
            Load = new LoadOptions { Url = fixture.Target.Url("/capacity") },
            StartRate = 100,
            StepRate = 600,
            MaxRate = 1300,
            StepDuration = TimeSpan.FromSeconds(1),
            Thresholds = [Threshold.Parse("error_rate<30%")],
        });

        Assert.Equal(100, result.LastSustainableRps);
        Assert.Equal(700, result.FirstFailingRps);
        Assert.Equal("error_rate<30%", result.FailedThreshold);
        Assert.Equal("error_rate", result.FailedMetric);
        Assert.True(result.Observed >= 0.3);
        Assert.Equal(result.Steps.Count(s => s.Passed), result.Steps.Count - 1);
        Assert.False(result.Steps[^1].Passed);
    }

    [Fact]
    public async Task Refinement_bisects_between_the_last_passing_and_first_failing_rate()
    {
        await QuietCapacityAsync();
        var result = await BreakingPointSearch.RunAsync(new BreakingPointOptions
        {
            Load = new LoadOptions { Url = fixture.Target.Url("/capacity") },
            StartRate = 100,
            StepRate = 600,
            MaxRate = 700,
            StepDuration = TimeSpan.FromSeconds(1),
            Refinements = 1,
            Thresholds = [Threshold.Parse("error_rate<30%")],
        });

        // 100 passes, 700 fails (46 % errors), and the bisection tries 400. Whether 400 passes depends on how full the
        // bucket is after the 700 step (full: 6 % errors; empty: 37.5 %); either way the answer must be consistent.
        Assert.True(result.Steps.Count == 3, string.Join("; ", result.Steps));
        Assert.Equal([100.0, 700.0, 400.0], result.Steps.Select(s => s.TargetRps));
        var refinedPassed = result.Steps[2].Passed;
        Assert.Equal(refinedPassed ? 700 : 400, result.FirstFailingRps);
        Assert.Equal(refinedPassed ? 400 : 100, result.LastSustainableRps);
    }

    [Fact]
    public async Task Without_a_failing_step_the_max_rate_is_the_last_sustainable_one()
    {
        var result = await BreakingPointSearch.RunAsync(new BreakingPointOptions
        {
            Load = new LoadOptions { Url = fixture.Target.Url("/") },
            StartRate = 25,
            MaxRate = 50,
            StepDuration = TimeSpan.FromSeconds(1),
        });

        Assert.Equal(50, result.LastSustainableRps);
        Assert.Null(result.FirstFailingRps);
        Assert.Null(result.FailedThreshold);
        Assert.Equal([25.0, 50.0], result.Steps.Select(s => s.TargetRps));
    }

    [Fact]
    public void Bad_options_are_reported()
    {
        var problems = new BreakingPointOptions
        {
            Load = new LoadOptions { Url = fixture.Target.Url("/") },
            StartRate = 0,
            MaxRate = 10,
            StepDuration = TimeSpan.FromMilliseconds(100),
        }.Validate();

        Assert.Contains(problems, p => p.Contains("start rate above 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("at least 1s", StringComparison.Ordinal));
    }
}
