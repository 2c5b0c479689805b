using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests;

/// <summary>The catalog serves credentials encrypted; the worker decrypts them with the shared key ring to call the agent.</summary>
public sealed class AgentCredentialTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_worker_decrypts_the_agents_credential_and_sends_it_as_a_bearer_token_on_every_call()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "credentials");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var secret = $"sk-runner-{Guid.NewGuid():N}";
        var agentVersion = host.Catalog.AddAgent(AgentProtocols.HttpJson, agent.Endpoint, apiKey: secret);
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2"), ("q2", "What is 4 / 2?", "2")));
        // What the catalog serves (and the runner's API puts nowhere) is ciphertext.
        Assert.NotNull(agentVersion.ProtectedApiKey);
        Assert.DoesNotContain(secret, agentVersion.ProtectedApiKey, StringComparison.Ordinal);

        using var response = await host.CreateClient().WithCaller().PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agentVersion.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            async_execution = true,
            configuration = new { warmup_runs = 0, iterations = 2 },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();
        var executed = await Eventually.GetAsync(
            () => Task.FromResult(bus.Executed.FirstOrDefault(e => e.RunId == runId)), Wait, "the benchmark executed");

        Assert.Equal(4, executed.Samples.Count);
        Assert.Equal(4, agent.Requests);
        Assert.Equal(Enumerable.Repeat($"Bearer {secret}", 4), agent.Authorizations);
        // The message to Scoring carries whether there is a key, never the key.
        Assert.True(executed.Agent.HasApiKey);
        Assert.DoesNotContain(secret, JsonSerializer.Serialize(executed), StringComparison.Ordinal);
    }
}
