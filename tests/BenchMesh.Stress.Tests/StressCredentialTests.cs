using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Credentials;
using BenchMesh.Testing;

namespace BenchMesh.Stress.Tests;

/// <summary>A stress run decrypts the agent's credential with the shared key ring and sends it on every request.</summary>
public sealed class StressCredentialTests(StressServiceFixture service) : IClassFixture<StressServiceFixture>
{
    [Fact]
    public async Task The_load_carries_the_decrypted_credential_as_a_bearer_token()
    {
        // Encrypted as Suites does, by another host on the same key ring.
        await using var suites = await KeyRingHost.StartAsync(service.Database, KeyRingAccess.ManagesKeys);
        var secret = $"sk-stress-{Guid.NewGuid():N}";
        var agent = service.Catalog.Register("http-json", $"{service.Agent.Address}/json", protectedApiKey: suites.Credentials.Protect(secret));
        using var http = service.App.CreateClient().WithCaller();

        using var response = await http.PostAsJsonAsync("/stress/runs", new
        {
            agent_id = agent.AgentId,
            agent_version = "1.0",
            scenario = "high_load",
            parameters = new { rate = 10, duration_s = 1, connections = 2 },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        var done = await Eventually.GetAsync<JsonElement?>(async () =>
        {
            var run = await http.GetFromJsonAsync<JsonElement>(location);
            return run.GetProperty("status").GetString() == "running" ? null : run;
        }, TimeSpan.FromSeconds(30), "the stress run to finish");

        Assert.Equal("completed", done!.Value.GetProperty("status").GetString());
        var requests = service.Agent.Received.Where(r => r.Path == "/json").ToList();
        Assert.Equal(10, requests.Count);
        Assert.All(requests, r => Assert.Equal($"Bearer {secret}", r.Authorization));
        Assert.DoesNotContain(secret, done.Value.GetRawText(), StringComparison.Ordinal);
    }
}
