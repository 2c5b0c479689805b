using BenchMesh.LoadEngine.Execution;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// The /stall endpoint holds every request that arrives in the first 200 ms of each second until the 200 ms mark:
/// a hiccup 20 % of the time, so a fifth of uniformly arriving requests wait 0–200 ms and the true p99 is near 200 ms.
/// </summary>
public sealed class CoordinatedOmissionTests(TestTargetFixture fixture) : IClassFixture<TestTargetFixture>
{
    [Fact]
    public async Task The_open_model_shows_a_stall_in_its_p99_where_a_closed_loop_hides_it()
    {
        var open = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = fixture.Target.Url("/stall"),
            Rate = 500,
            Duration = TimeSpan.FromSeconds(2),
            Connections = 50,
        });
        var closed = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = fixture.Target.Url("/stall"),
            Executor = ExecutorKind.ConstantConcurrency,
            Concurrency = 10,
            Duration = TimeSpan.FromSeconds(2),
            Connections = 10,
        });

        // Open: about a fifth of the requests are held, so p90 and p99 sit inside the hiccup.
        Assert.True(open.LatencyMs.P99 >= 100, $"open p99 {open.LatencyMs.P99} ms");
        Assert.True(open.LatencyMs.P90 >= 20, $"open p90 {open.LatencyMs.P90} ms");
        // Closed: while the server stalls, the ten users wait too and send nothing, so only ten requests per second see
        // the stall among thousands of fast ones: the hiccup shows in max only.
        Assert.True(closed.Requests > 20 * open.Requests / 10, $"closed made {closed.Requests}");
        Assert.True(closed.LatencyMs.Max >= 100, $"closed max {closed.LatencyMs.Max} ms");
        Assert.True(open.LatencyMs.P99 > 5 * closed.LatencyMs.P99, $"open p99 {open.LatencyMs.P99} ms, closed p99 {closed.LatencyMs.P99} ms");
    }
}
