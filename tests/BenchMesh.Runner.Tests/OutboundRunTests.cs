using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Outbound;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Runner.Tests;

/// <summary>The outbound guard inside the real Runner (its own database and virtual host), with a test resolver.</summary>
public sealed class OutboundRunTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The agent's name resolves to loopback for the preflight, then to the metadata address (DNS rebinding): the run
    /// is accepted, every call of the worker is refused at connect time and recorded as an <c>address_not_allowed</c>
    /// sample, the benchmark is executed and reported like any other, and the agent is never called.
    /// </summary>
    [Fact]
    public async Task A_name_rebound_after_the_preflight_gives_refused_samples_not_a_crash()
    {
        const string name = "agent.rebind.test";
        var resolver = new MappedResolver().Map(name, ["127.0.0.1"], ["169.254.169.254"]);
        await using var host = await RunnerHost.StartAsync(infrastructure, "rebind", s => s.AddSingleton<HostResolver>(resolver));
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var http = host.CreateClient().WithCaller();
        var agentVersion = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"http://{name}:{new Uri(agent.BaseUrl).Port}/agent");
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2"), ("q2", "What is 2 + 0?", "2")));

        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agentVersion.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            async_execution = true,
            configuration = new { warmup_runs = 0, iterations = 2 },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();

        var executed = await Eventually.GetAsync(() => Task.FromResult(bus.Executed.FirstOrDefault(e => e.RunId == runId)), Wait, "the benchmark executed");
        Assert.Equal(4, executed.Samples.Count);
        Assert.All(executed.Samples, s =>
        {
            Assert.Equal(SampleErrorKinds.AddressNotAllowed, s.ErrorKind);
            Assert.Contains("link-local", s.Error);
            Assert.DoesNotContain("169.254", s.Error);
        });
        Assert.Equal(0, agent.Requests);
        Assert.True(resolver.LookupsOf(name) >= 2);
    }
}
