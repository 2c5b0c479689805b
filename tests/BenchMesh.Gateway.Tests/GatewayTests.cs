using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Testing;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// The gateway in front of stand-in services (one real socket each, answering with their own name and the path
/// they received): the public routes of DESIGN.md reach the service that owns them, unchanged.
/// </summary>
public sealed class GatewayTests(Infrastructure infrastructure, StandInServices services) : IClassFixture<Infrastructure>, IClassFixture<StandInServices>
{

    [Theory]
    [InlineData("POST", "/agents", "suites", "/agents")]
    [InlineData("GET", "/agents/0b1c7ad0-1111-4111-8111-000000000001", "suites", "/agents/0b1c7ad0-1111-4111-8111-000000000001")]
    [InlineData("POST", "/agents/0b1c7ad0-1111-4111-8111-000000000001/versions", "suites", "/agents/0b1c7ad0-1111-4111-8111-000000000001/versions")]
    [InlineData("GET", "/suites", "suites", "/suites")]
    [InlineData("GET", "/suites/s1", "suites", "/suites/s1")]
    [InlineData("POST", "/benchmarks/run", "runner", "/benchmarks/run")]
    [InlineData("GET", "/benchmarks/runs/r1", "runner", "/benchmarks/runs/r1")]
    [InlineData("POST", "/benchmarks/schedules", "runner", "/benchmarks/schedules")]
    [InlineData("DELETE", "/benchmarks/schedules/s1", "runner", "/benchmarks/schedules/s1")]
    [InlineData("GET", "/benchmarks/coverage?window_days=30", "runner", "/benchmarks/coverage?window_days=30")]
    [InlineData("GET", "/benchmarks/agents/a1/results?suite_id=s1&timeframe=all", "scoring", "/benchmarks/agents/a1/results?suite_id=s1&timeframe=all")]
    [InlineData("GET", "/benchmarks/executions/e1/profile", "scoring", "/benchmarks/executions/e1/profile")]
    [InlineData("GET", "/benchmarks/agents/a1/cost-analysis?monthly_tasks=500", "scoring", "/benchmarks/agents/a1/cost-analysis?monthly_tasks=500")]
    [InlineData("GET", "/benchmarks/cost-frontier?suite_id=s1", "scoring", "/benchmarks/cost-frontier?suite_id=s1")]
    [InlineData("GET", "/benchmarks/agents/a1/regressions?threshold=0.2", "regression", "/benchmarks/agents/a1/regressions?threshold=0.2")]
    [InlineData("GET", "/benchmarks/regressions?severity=critical&limit=5", "regression", "/benchmarks/regressions?severity=critical&limit=5")]
    [InlineData("GET", "/benchmarks/leaderboard?metric=accuracy", "leaderboard", "/benchmarks/leaderboard?metric=accuracy")]
    [InlineData("POST", "/benchmarks/compare", "leaderboard", "/benchmarks/compare")]
    [InlineData("GET", "/benchmarks/comparison-matrix?agent_ids=a", "leaderboard", "/benchmarks/comparison-matrix?agent_ids=a")]
    [InlineData("POST", "/stress/runs", "stress", "/stress/runs")]
    [InlineData("GET", "/stress/runs/x1", "stress", "/stress/runs/x1")]
    [InlineData("GET", "/benchmarks/runs?agent_id=a1&limit=5", "runner", "/benchmarks/runs?agent_id=a1&limit=5")]
    [InlineData("GET", "/stress/runs?status=running&cursor=c1", "stress", "/stress/runs?status=running&cursor=c1")]
    [InlineData("GET", "/openapi/runner.json", "runner", "/openapi/v1.json")]
    [InlineData("GET", "/openapi/suites.json", "suites", "/openapi/v1.json")]
    public async Task A_public_route_reaches_the_service_that_owns_it(string method, string path, string service, string received)
    {
        await using var gateway = CreateGateway();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { probe = true });
        }

        using var response = await gateway.ClientWithKey(gateway.OperatorKey).SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(service, answer.GetProperty("service").GetString());
        Assert.Equal(received, answer.GetProperty("received").GetString());
        Assert.Equal(method, answer.GetProperty("method").GetString());
    }

    [Fact]
    public async Task A_path_no_service_owns_is_a_404_problem()
    {
        await using var gateway = CreateGateway();
        using var response = await gateway.ClientWithKey(gateway.OperatorKey).GetAsync("/benchmarks/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_retry_after_while_other_keys_and_health_probes_still_answer()
    {
        await using var gateway = CreateGateway(permitsPerMinute: 3);
        var adminKey = await gateway.CreateWorkspaceAsync("limits");
        var (_, first) = await gateway.CreateKeyAsync(adminKey, "limits", "member", "first");
        var (_, second) = await gateway.CreateKeyAsync(adminKey, "limits", "member", "second");
        var client = gateway.ClientWithKey(first);
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await client.GetAsync("/agents");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await client.GetAsync("/agents");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);

        // Same client address, another key: its own window.
        using var otherKey = await gateway.ClientWithKey(second).GetAsync("/agents");
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);

        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_share_their_address_s_window_apart_from_the_keys()
    {
        await using var gateway = CreateGateway(permitsPerMinute: 2);
        var anonymous = gateway.ClientWithKey(null);
        var junk = gateway.ClientWithKey("bm_0000000000000000_" + new string('A', 43));
        using (var first = await anonymous.GetAsync("/agents"))
        using (var second = await junk.GetAsync("/agents"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        }

        using var limited = await anonymous.GetAsync("/agents");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);

        using var withKey = await gateway.ClientWithKey(gateway.OperatorKey).GetAsync("/agents");
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [Fact]
    public async Task The_index_moved_to_api_and_answers_without_a_key()
    {
        await using var gateway = CreateGateway();
        using var response = await gateway.ClientWithKey(null).GetAsync("/api");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var index = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("BenchMesh", index.GetProperty("name").GetString());
        Assert.Contains("/workspaces", index.GetProperty("routes").GetProperty("gateway").EnumerateArray().Select(p => p.GetString()));
    }

    private GatewayApp CreateGateway(int permitsPerMinute = 0) =>
        new(infrastructure.CreateDatabase("gateway"), services, permitsPerMinute: permitsPerMinute);
}
