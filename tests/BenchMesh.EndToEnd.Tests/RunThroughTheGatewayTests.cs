using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Testing;

namespace BenchMesh.EndToEnd.Tests;

/// <summary>
/// One user's story through the public API: register an agent with two versions and a suite, run both
/// versions, read results and the leaderboard, and hear about the regression on RabbitMQ.
/// </summary>
[Collection(BenchMeshAppCollection.Name)]
public sealed class RunThroughTheGatewayTests(BenchMeshApp app)
{
    private const string RegressionExchange = "BenchMesh.Contracts.Regression:RegressionDetected";

    [Fact]
    public async Task A_worse_version_is_scored_ranked_below_the_better_one_and_announced_as_a_regression()
    {
        var http = app.Gateway;

        // Our own queue on the RegressionDetected exchange, bound with plain RabbitMQ.Client as any AMQP
        // consumer would bind it.
        await using var regressionQueue = await ExchangeProbe.BindAsync(app.RabbitMqUri, RegressionExchange);

        var agentsBase = app.SampleAgents.ToString().TrimEnd('/');
        var agent = await PostAsync(http, "/agents", new
        {
            name = $"support-bot-{Guid.NewGuid():N}",
            workspace_id = "default", // the operator key's workspace
            protocol = "openai-chat",
            endpoint = $"{agentsBase}/openai/baseline",
            pricing = new { input_per_million_usd = 0.5, output_per_million_usd = 1.5, per_call_usd = 0.0 },
            versions = new object[]
            {
                new { version = "1.0", model_configuration = new { model = "sample-baseline" } },
                new { version = "2.0", model_configuration = new { model = "sample-degraded" }, endpoint = $"{agentsBase}/openai/degraded" },
            },
        }, HttpStatusCode.Created);
        var agentId = agent["agent_id"]!.GetValue<string>();
        Assert.Equal(2, agent["versions"]!.AsArray().Count);
        Assert.Null(agent["api_key"]);

        var suite = await PostAsync(http, "/suites", new
        {
            name = "e2e-suite",
            category = "accuracy",
            benchmarks = new object[]
            {
                new
                {
                    name = "arithmetic", category = "math",
                    scoring_rubric = new { type = "numeric_tolerance", tolerance = 0.01 },
                    dataset = new { items = Enumerable.Range(1, 6).Select(i => new { id = $"a{i}", input = $"What is {i * 7} + {i * 3}?", expected = $"{i * 10}" }) },
                },
                new
                {
                    name = "text", category = "language",
                    scoring_rubric = new { type = "exact_match" },
                    dataset = new { items = new[] { "alpha", "bravo", "charlie", "delta", "echo", "foxtrot" }.Select((w, i) => new { id = $"t{i}", input = $"Uppercase: {w}", expected = w.ToUpperInvariant() }) },
                },
            },
        }, HttpStatusCode.Created);
        var suiteId = suite["suite_id"]!.GetValue<string>();

        // Registered but not run yet: Scoring and Regression learn from Suites (gRPC) that the agent exists.
        Assert.Empty((await GetAsync(http, $"/benchmarks/agents/{agentId}/results?timeframe=all"))["results"]!.AsArray());
        Assert.False((await GetAsync(http, $"/benchmarks/agents/{agentId}/regressions"))["has_regressions"]!.GetValue<bool>());

        var v1 = await RunAsync(http, agentId, "1.0", suiteId);
        var v2 = await RunAsync(http, agentId, "2.0", suiteId);
        Assert.Equal("completed", v1["status"]!.GetValue<string>());
        Assert.Equal(2, v1["report"]!["benchmarks"]!.AsArray().Count);
        var v1Overall = v1["report"]!["overall_score"]!.GetValue<double>();
        var v2Overall = v2["report"]!["overall_score"]!.GetValue<double>();
        Assert.InRange(v1Overall, 0.0, 1.0);
        Assert.True(v1Overall > v2Overall, $"v1 overall {v1Overall} should beat v2 overall {v2Overall}");

        var results = await GetAsync(http, $"/benchmarks/agents/{agentId}/results?suite_id={suiteId}&timeframe=all");
        var rows = results["results"]!.AsArray();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(agentId, r!["agent_id"]!.GetValue<string>());
            Assert.True(r["tokens_used"]!.GetValue<long>() > 0);
            Assert.True(r["api_calls_made"]!.GetValue<int>() > 0);
        });

        // The leaderboard's view is refreshed about a second after the last score: wait for both versions.
        var ours = await Eventually.GetAsync(async () =>
        {
            var leaderboard = await GetAsync(http, "/benchmarks/leaderboard?category=overall&metric=overall&group_by=version&limit=100");
            var entries = leaderboard["entries"]!.AsArray().Where(e => e!["agent_id"]!.GetValue<string>() == agentId).ToList();
            return entries.Count == 2 ? entries : null;
        }, TimeSpan.FromSeconds(30), "both versions on the leaderboard");
        Assert.Equal(["1.0", "2.0"], ours.Select(e => e!["agent_version"]!.GetValue<string>()));
        Assert.True(ours[0]!["scores_and_ranks"]!["overall"]!["rank"]!.GetValue<int>() < ours[1]!["scores_and_ranks"]!["overall"]!["rank"]!.GetValue<int>());

        var regressionEvent = await regressionQueue.NextAsync(TimeSpan.FromSeconds(60), "RegressionDetected on our own queue");
        var message = regressionEvent.Message;
        Assert.Equal(agentId, message.GetProperty("agentId").GetString());
        Assert.Equal("2.0", message.GetProperty("candidateVersion").GetString());
        Assert.Equal("1.0", message.GetProperty("baselineVersion").GetString());
        Assert.Equal("default", message.GetProperty("workspaceId").GetString());

        var regressions = await GetAsync(http, $"/benchmarks/agents/{agentId}/regressions");
        Assert.True(regressions["has_regressions"]!.GetValue<bool>());
        Assert.Equal("2.0", regressions["current_version"]!.GetValue<string>());
        Assert.Contains(regressions["regressions"]!.AsArray(), r => r!["metric"]!.GetValue<string>() == "latency_ms");
        Assert.NotEqual("healthy", regressions["overall_health"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_service_publishes_its_OpenAPI_document_through_the_gateway()
    {
        foreach (var service in new[] { "suites", "runner", "scoring", "leaderboard", "regression", "stress" })
        {
            using var response = await app.Gateway.GetAsync($"/openapi/{service}.json");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{service}: {(int)response.StatusCode}");
            var doc = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.NotNull(doc["paths"]);
        }
    }

    [Fact]
    public async Task Bad_input_through_the_gateway_is_a_problem_details_answer()
    {
        using var malformed = await app.Gateway.PostAsync("/agents", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);

        using var unknownRun = await app.Gateway.GetAsync($"/benchmarks/runs/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);

        using var unknownAgent = await app.Gateway.PostAsJsonAsync("/benchmarks/run", new { agent_id = Guid.NewGuid(), suite_id = Guid.NewGuid(), async_execution = true });
        Assert.Equal(HttpStatusCode.NotFound, unknownAgent.StatusCode);
        Assert.Equal("application/problem+json", unknownAgent.Content.Headers.ContentType?.MediaType);

        foreach (var read in new[] { "results", "regressions" })
        {
            using var unknown = await app.Gateway.GetAsync($"/benchmarks/agents/{Guid.NewGuid()}/{read}");
            Assert.True(unknown.StatusCode == HttpStatusCode.NotFound, $"{read}: {(int)unknown.StatusCode} {await unknown.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }
    }

    private static async Task<JsonNode> RunAsync(HttpClient http, string agentId, string version, string suiteId) =>
        await PostAsync(http, "/benchmarks/run", new
        {
            agent_id = agentId,
            agent_version = version,
            suite_id = suiteId,
            async_execution = false,
            // 5 measured passes per version: the fewest at which the regression engine can tell a latency change on its own runs.
            configuration = new { warmup_runs = 1, iterations = 5, concurrency = 2, timeout_seconds = 240 },
        }, HttpStatusCode.OK);

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, object body, HttpStatusCode expected)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
