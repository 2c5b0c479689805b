using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Regression;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests;

/// <summary>The Regression service asks for confirmation passes; the Runner runs that one benchmark with that many iterations.</summary>
public sealed class ConfirmationRunsTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly SampleAgentsServer _sampleAgents = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sampleAgents.DisposeAsync();

    [Fact]
    public async Task A_confirmation_request_runs_the_borderline_benchmark_once_with_the_requested_passes()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "confirm");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        var agent = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=5");
        var suite = host.Catalog.AddSuite(
            FakeSuiteCatalog.Benchmark("arithmetic", ("q1", "What is 12 + 7?", "19"), ("q2", "Compute 3 * 4", "12")),
            FakeSuiteCatalog.Benchmark("text", ("t1", "Reverse: abc", "cba")));
        var text = suite.Benchmarks.Single(b => b.Name == "text");
        var request = new ConfirmationRunsRequested
        {
            RequestId = Guid.NewGuid(),
            AgentId = agent.Snapshot.AgentId,
            AgentName = agent.Snapshot.AgentName,
            AgentVersion = agent.Snapshot.Version,
            SuiteId = suite.SuiteId,
            BenchmarkId = text.BenchmarkId,
            BenchmarkName = text.Name,
            Metrics = ["latency_ms"],
            AdditionalRuns = 7,
            BasedOnRunId = Guid.NewGuid(), // unknown to this Runner: the defaults apply, with the requested passes
            RequestedAt = DateTimeOffset.UtcNow,
        };

        await RequestTwiceAsync(host, bus, request, () => bus.Executed.Any(e => e.RunId == request.RequestId), "the confirmation run to execute");

        var executed = Assert.Single(bus.Executed, e => e.RunId == request.RequestId);
        Assert.Equal("text", executed.Benchmark.Name);
        Assert.Equal(7, executed.Samples.Count); // 7 passes over its one item
        using var response = await http.GetAsync($"/benchmarks/runs/{request.RequestId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, run.GetProperty("progress").GetProperty("total_benchmarks").GetInt32());
        Assert.Equal(7, run.GetProperty("configuration").GetProperty("iterations").GetInt32());
        Assert.Equal(1, await host.CountAsync("runs"));
    }

    [Fact]
    public async Task An_interleaved_confirmation_runs_candidate_and_baseline_one_after_the_other_A_B_A_B()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "confirm-abab");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        // Scoring's part: every execution is scored, which finishes its run and lets the next step start.
        bus.OnExecuted = executed => bus.PublishAsync(BusObserver.ScoresFor(executed, 0.9));
        var candidate = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=5");
        var baseline = host.Catalog.AddVersion(candidate, "0.9", $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=1");
        var suite = host.Catalog.AddSuite(
            FakeSuiteCatalog.Benchmark("arithmetic", ("q1", "What is 12 + 7?", "19"), ("q2", "Compute 3 * 4", "12"), ("q3", "What is 2 + 2?", "4")),
            FakeSuiteCatalog.Benchmark("text", ("t1", "Reverse: abc", "cba")));
        var arithmetic = suite.Benchmarks.Single(b => b.Name == "arithmetic");
        var request = new ConfirmationRunsRequested
        {
            RequestId = Guid.NewGuid(),
            AgentId = candidate.Snapshot.AgentId,
            AgentName = candidate.Snapshot.AgentName,
            AgentVersion = candidate.Snapshot.Version,
            SuiteId = suite.SuiteId,
            BenchmarkId = arithmetic.BenchmarkId,
            BenchmarkName = arithmetic.Name,
            Metrics = ["latency_ms"],
            AdditionalRuns = 5,
            BasedOnRunId = Guid.NewGuid(),
            RequestedAt = DateTimeOffset.UtcNow,
            BaselineVersion = baseline.Snapshot.Version,
        };
        var steps = Enumerable.Range(0, 2 * request.Pairs).Select(s => ConfirmationRunsRequested.StepRunId(request.RequestId, s)).ToList();

        await RequestTwiceAsync(host, bus, request, () => bus.Completed.Count(c => steps.Contains(c.RunId)) == steps.Count, "the four confirmation runs to complete");

        // In the order they were executed: candidate, baseline, candidate, baseline, each its own run, on the same items in the same order.
        var executed = bus.Executed.Where(e => steps.Contains(e.RunId)).ToList();
        Assert.Equal(steps, executed.Select(e => e.RunId));
        Assert.Equal(["1.0", "0.9", "1.0", "0.9"], executed.Select(e => e.Agent.Version));
        Assert.All(executed, e => Assert.Equal("arithmetic", e.Benchmark.Name));
        Assert.All(executed, e => Assert.Equal(3 * request.PassesPerStep, e.Samples.Count)); // 3 passes over the 3 items
        Assert.All(executed, e => Assert.Equal(
            Enumerable.Range(0, request.PassesPerStep).SelectMany(_ => new[] { "q1", "q2", "q3" }), e.Samples.Select(s => s.ItemId)));
        // Never overlapping: each run started after the one before it had completed.
        var runs = new List<JsonElement>();
        foreach (var step in steps)
        {
            runs.Add(await host.CreateClient().WithCaller().GetFromJsonAsync<JsonElement>($"/benchmarks/runs/{step}"));
        }

        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(
                runs[i].GetProperty("created_at").GetDateTimeOffset() >= runs[i - 1].GetProperty("completed_at").GetDateTimeOffset(),
                $"step {i} was created before step {i - 1} completed");
        }

        Assert.Equal(steps.Count, await host.CountAsync("runs"));
    }

    /// <summary>
    /// Publishes <paramref name="request"/>, waits until <paramref name="handled"/> holds, then publishes it again (a
    /// re-delivery, or a second judgement, which must start nothing more) and waits until the Runner has consumed that
    /// copy too: what the test asserts afterwards is final, with no sleep.
    /// </summary>
    private static async Task RequestTwiceAsync(RunnerHost host, BusObserver bus, ConfirmationRunsRequested request, Func<bool> handled, string what)
    {
        await bus.PublishAsync(request);
        await Eventually.TrueAsync(() => Task.FromResult(handled()), Wait, what);
        await bus.PublishAsync(request);
        await Eventually.TrueAsync(
            () => Task.FromResult(host.Consumed.Count<ConfirmationRunsRequested>(r => r.RequestId == request.RequestId) >= 2), Wait, "the request again to be consumed");
    }
}
