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

        await bus.PublishAsync(request);
        await Eventually.TrueAsync(() => Task.FromResult(bus.Executed.Any(e => e.RunId == request.RequestId)), Wait, "the confirmation run to execute");
        // The same request again (a re-delivery, or a second judgement) starts nothing more.
        await bus.PublishAsync(request);

        var executed = Assert.Single(bus.Executed, e => e.RunId == request.RequestId);
        Assert.Equal("text", executed.Benchmark.Name);
        Assert.Equal(7, executed.Samples.Count); // 7 passes over its one item
        using var response = await http.GetAsync($"/benchmarks/runs/{request.RequestId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, run.GetProperty("progress").GetProperty("total_benchmarks").GetInt32());
        Assert.Equal(7, run.GetProperty("configuration").GetProperty("iterations").GetInt32());
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await host.CountAsync("runs"));
    }
}
