using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchMesh.Stress.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Tests;

public sealed class StressApiTests(StressServiceFixture service) : IClassFixture<StressServiceFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http = service.App.CreateClient().WithCaller();

    private Task<int> RunsOfAsync(Guid agentId) => service.WithDbAsync(db => db.StressRuns.CountAsync(r => r.AgentId == agentId));

    private async Task<JsonElement> GetRunAsync(string location)
    {
        using var response = await _http.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task A_run_executes_in_the_background_and_its_result_is_stored_and_published()
    {
        await using var probe = await ExchangeProbe.BindAsync(service.RabbitMqUri, "BenchMesh.Contracts.Stress:StressTestCompleted");
        var agent = service.Catalog.Register("http-json", $"{service.Agent.Address}/json?fail_every=10&slow_every=9&slow_ms=30&case={Guid.NewGuid():N}");

        using var response = await _http.PostAsJsonAsync("/stress/runs", new
        {
            agent_id = agent.AgentId,
            agent_version = "1.0",
            scenario = "high_load",
            parameters = new { rate = 20, duration_s = 3, connections = 4 },
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("running", accepted.GetProperty("status").GetString());
        var id = accepted.GetProperty("stress_run_id").GetGuid();
        Assert.Equal($"/stress/runs/{id}", response.Headers.Location?.ToString());

        var run = await Eventually.GetAsync<JsonElement?>(async () =>
        {
            var r = await GetRunAsync($"/stress/runs/{id}");
            return r.GetProperty("status").GetString() == "running" ? null : r;
        }, Timeout, "the stress run to finish");
        var done = run!.Value;

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal("high_load", done.GetProperty("scenario").GetString());
        Assert.Equal("1.0", done.GetProperty("agent_version").GetString());
        var progress = done.GetProperty("progress");
        Assert.Equal(60, progress.GetProperty("requests_completed").GetInt64());
        Assert.Equal(3, progress.GetProperty("planned_seconds").GetDouble());
        Assert.True(progress.GetProperty("elapsed_seconds").GetDouble() >= 3);
        Assert.Equal(4, done.GetProperty("parameters").GetProperty("connections").GetInt32());
        Assert.Equal(20, done.GetProperty("parameters").GetProperty("rate").GetInt32());

        // The open model: 20 requests a second for 3 s start on schedule, whatever the agent does.
        var result = done.GetProperty("result");
        var load = result.GetProperty("phases")[0].GetProperty("result");
        Assert.Equal(60, load.GetProperty("requests").GetInt64());
        Assert.Equal(20, load.GetProperty("target_rps").GetDouble());
        Assert.Equal(6, load.GetProperty("error_count").GetInt64());
        Assert.Equal(0.1, load.GetProperty("error_rate").GetDouble(), 9);
        Assert.Equal(6, load.GetProperty("errors").GetProperty("http_500").GetInt64());
        var latency = load.GetProperty("latency_ms");
        var percentiles = new[] { "p50", "p90", "p95", "p99", "p999", "max" }.Select(p => latency.GetProperty(p).GetDouble()).ToList();
        Assert.Equal(percentiles.Order().ToList(), percentiles);
        Assert.True(latency.GetProperty("p99").GetDouble() >= 30, "every 9th request is 30 ms slower");
        Assert.InRange(result.GetProperty("resilience_score").GetDouble(), 0, 1);

        var stored = await service.WithDbAsync(db => db.StressRuns.SingleAsync(r => r.StressRunId == id));
        Assert.Equal(StressRunStatuses.Completed, stored.Status);
        Assert.Contains("\"p99\"", stored.ResultJson);

        // The exchange is the class fixture's: another test's run (one refused at once, say) may complete first.
        JsonElement completed;
        do
        {
            completed = (await probe.NextAsync(Timeout, $"StressTestCompleted for {id}")).Message;
        }
        while (completed.GetProperty("stressRunId").GetGuid() != id);

        Assert.Equal(2, completed.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(60, completed.GetProperty("requests").GetInt64());
        Assert.Equal(0.1, completed.GetProperty("errorRate").GetDouble(), 9);
        Assert.True(completed.GetProperty("p99LatencyMs").GetDouble() >= 30);
        Assert.InRange(completed.GetProperty("resilienceScore").GetDouble(), 0, 1);
    }

    [Fact]
    public async Task A_scenario_without_parameters_runs_with_its_documented_defaults()
    {
        // Its own instance: the defaults run for 30 s, and runs execute one at a time; stopping the instance ends it.
        var database = service.Infrastructure.CreateDatabase("stress_defaults");
        var rabbit = await service.Infrastructure.CreateVirtualHostAsync("stress_defaults");
        await using var app = StressServiceFixture.CreateApp(database, rabbit, service.Catalog);
        using var http = app.CreateClient().WithCaller();
        var agent = service.Catalog.Register("openai-chat", $"{service.Agent.Address}/openai");

        using var response = await http.PostAsJsonAsync("/stress/runs", new { agent_id = agent.AgentId, scenario = "large_inputs" });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stress_run_id").GetGuid();
        using var answer = await http.GetAsync($"/stress/runs/{id}");
        var run = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var parameters = run.GetProperty("parameters");
        Assert.Equal(5, parameters.GetProperty("rate").GetDouble());
        Assert.Equal(10, parameters.GetProperty("step_s").GetDouble());
        Assert.Equal(1_000, parameters.GetProperty("input_chars_start").GetDouble());
        Assert.Equal(100_000, parameters.GetProperty("input_chars_end").GetDouble());
        // Three steps of 10 s: 1,000, 10,000 and 100,000 characters.
        Assert.Equal(30, run.GetProperty("progress").GetProperty("planned_seconds").GetDouble());
        // The latest version was resolved through the catalog.
        Assert.Equal("1.0", run.GetProperty("agent_version").GetString());
    }

    [Fact]
    public async Task A_target_the_outbound_guard_refuses_fails_the_run_with_the_reason_and_is_never_sent_a_request()
    {
        // Its own instance, with loopback (where the test agent listens) not allowed, as in production.
        var database = service.Infrastructure.CreateDatabase("stress_guard");
        var rabbit = await service.Infrastructure.CreateVirtualHostAsync("stress_guard");
        await using var app = StressServiceFixture.CreateApp(database, rabbit, service.Catalog,
            new Dictionary<string, string> { ["Outbound:AllowLoopback"] = "false" });
        using var http = app.CreateClient().WithCaller();
        var path = $"/json?case={Guid.NewGuid():N}";
        var agent = service.Catalog.Register("http-json", service.Agent.Address.TrimEnd('/') + path);

        using var response = await http.PostAsJsonAsync("/stress/runs", new
        {
            agent_id = agent.AgentId,
            scenario = "high_load",
            parameters = new { rate = 5, duration_s = 1, connections = 1 },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stress_run_id").GetGuid();
        var run = await Eventually.GetAsync<JsonElement?>(async () =>
        {
            using var answer = await http.GetAsync($"/stress/runs/{id}");
            var r = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone();
            return r.GetProperty("status").GetString() == "running" ? null : r;
        }, Timeout, "the stress run to end");

        Assert.Equal("failed", run!.Value.GetProperty("status").GetString());
        var error = run.Value.GetProperty("error").GetString();
        Assert.Contains("loopback", error);
        Assert.Contains("Outbound:AllowLoopback", error);
        Assert.Equal(0, service.Agent.CountFor(path));
    }

    public static TheoryData<string, string> InvalidRequests => new()
    {
        { """{"agent_id":"AGENT","scenario":"bogus"}""", "scenario" },
        { """{"agent_id":"AGENT","scenario":"high_load","parameters":{"rate":0}}""", "parameters.rate" },
        { """{"agent_id":"AGENT","scenario":"high_load","parameters":{"rate":5001}}""", "parameters.rate" },
        { """{"agent_id":"AGENT","scenario":"high_load","parameters":{"rate":"fast"}}""", "parameters.rate" },
        { """{"agent_id":"AGENT","scenario":"high_load","parameters":{"connections":1001}}""", "parameters.connections" },
        { """{"agent_id":"AGENT","scenario":"high_load","parameters":{"duration_s":901}}""", "parameters" },
        { """{"agent_id":"AGENT","scenario":"spike","parameters":{"rate":10}}""", "parameters.rate" },
        { """{"agent_id":"AGENT","scenario":"spike","parameters":[1]}""", "parameters" },
        { """{"scenario":"spike"}""", "agent_id" },
        { """{"agent_id":"not-a-uuid","scenario":"spike"}""", "agent_id" },
        { """{"agent_id":"AGENT"}""", "scenario" },
        // workers: a whole number from 1 to 16, and only for the scenarios that can be split (docs/stress.md).
        { """{"agent_id":"AGENT","scenario":"high_load","workers":0}""", "workers" },
        { """{"agent_id":"AGENT","scenario":"high_load","workers":17}""", "workers" },
        { """{"agent_id":"AGENT","scenario":"high_load","workers":1.5}""", "workers" },
        { """{"agent_id":"AGENT","scenario":"high_load","workers":"two"}""", "workers" },
        { """{"agent_id":"AGENT","scenario":"spike","workers":2}""", "workers" },
        { """{"agent_id":"AGENT","scenario":"failure_recovery","workers":2}""", "workers" },
        { """{"agent_id":"AGENT","scenario":"rate_limiting","workers":4}""", "workers" },
        { """{"agent_id":"AGENT","scenario":"concurrent_requests","parameters":{"max_concurrency":2},"workers":3}""", "workers" },
        // suite_id / benchmark_id: UUIDs, and a benchmark only within a suite.
        { """{"agent_id":"AGENT","scenario":"high_load","suite_id":"nope"}""", "suite_id" },
        { """{"agent_id":"AGENT","scenario":"high_load","suite_id":"3f2c1b7e-0000-0000-0000-000000000001","benchmark_id":"nope"}""", "benchmark_id" },
        { """{"agent_id":"AGENT","scenario":"high_load","benchmark_id":"3f2c1b7e-0000-0000-0000-000000000001"}""", "benchmark_id" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_requests_are_field_errors_and_write_nothing(string json, string field)
    {
        var agent = service.Catalog.Register("http-json", $"{service.Agent.Address}/json");

        using var response = await _http.PostAsync("/stress/runs",
            new StringContent(json.Replace("AGENT", agent.AgentId.ToString(), StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected an error on {field}: {problem}");
        Assert.Equal(0, await RunsOfAsync(agent.AgentId));
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        using var response = await _http.PostAsync("/stress/runs", new StringContent("""{"agent_id": """, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_agent_or_version_is_404_and_writes_nothing()
    {
        var agent = service.Catalog.Register("http-json", $"{service.Agent.Address}/json");
        var unknown = Guid.NewGuid();

        using var unknownAgent = await _http.PostAsJsonAsync("/stress/runs", new { agent_id = unknown, scenario = "spike" });
        using var unknownVersion = await _http.PostAsJsonAsync("/stress/runs", new { agent_id = agent.AgentId, agent_version = "9.9", scenario = "spike" });

        Assert.Equal(HttpStatusCode.NotFound, unknownAgent.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.StatusCode);
        Assert.Equal("application/problem+json", unknownVersion.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await RunsOfAsync(unknown));
        Assert.Equal(0, await RunsOfAsync(agent.AgentId));
    }

    [Fact]
    public async Task An_agent_whose_protocol_cannot_be_loaded_is_422_and_writes_nothing()
    {
        var agent = service.Catalog.Register("process", "/usr/bin/agent");

        using var response = await _http.PostAsJsonAsync("/stress/runs", new { agent_id = agent.AgentId, scenario = "spike" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(0, await RunsOfAsync(agent.AgentId));
    }

    [Fact]
    public async Task A_run_naming_a_suite_sends_its_dataset_inputs_in_the_agents_protocol()
    {
        var marker = Guid.NewGuid().ToString("N");
        var agent = service.Catalog.Register("openai-chat", $"{service.Agent.Address}/openai?case={marker}");
        var wanted = Guid.NewGuid();
        var suiteId = service.Catalog.RegisterSuite(new Dictionary<Guid, string[]>
        {
            [Guid.NewGuid()] = [$"other {marker}"],
            [wanted] = [$"What is 2 + 3? {marker}", $"Spell 'cat' backwards. {marker}", $"Name a prime above 10. {marker}"],
        });

        using var response = await _http.PostAsJsonAsync("/stress/runs", new
        {
            agent_id = agent.AgentId,
            scenario = "high_load",
            parameters = new { rate = 10, duration_s = 2, connections = 2 },
            suite_id = suiteId,
            benchmark_id = wanted,
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stress_run_id").GetGuid();
        var done = (await Eventually.GetAsync<JsonElement?>(async () =>
        {
            var r = await GetRunAsync($"/stress/runs/{id}");
            return r.GetProperty("status").GetString() == "running" ? null : r;
        }, Timeout, "the stress run to finish"))!.Value;
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(suiteId, done.GetProperty("suite_id").GetGuid());
        Assert.Equal(wanted, done.GetProperty("benchmark_id").GetGuid());

        // Every request was a chat completion whose user message is one of the benchmark's inputs, taken in turn.
        var prompts = service.Agent.Received
            .Where(r => r.Path == "/openai/v1/chat/completions")
            .Select(r => r.Body.GetProperty("messages")[0].GetProperty("content").GetString()!)
            .Where(p => p.Contains(marker, StringComparison.Ordinal))
            .ToList();
        Assert.Equal(20, prompts.Count);
        Assert.Equal(
            [$"Name a prime above 10. {marker}", $"Spell 'cat' backwards. {marker}", $"What is 2 + 3? {marker}"],
            prompts.Distinct().Order(StringComparer.Ordinal));
        Assert.InRange(prompts.GroupBy(p => p).Min(g => g.Count()), 6, 7);
    }

    [Fact]
    public async Task An_unknown_suite_is_404_and_an_empty_dataset_422_and_neither_writes_anything()
    {
        var agent = service.Catalog.Register("http-json", $"{service.Agent.Address}/json");
        var empty = service.Catalog.RegisterSuite(new Dictionary<Guid, string[]> { [Guid.NewGuid()] = [] });
        var suite = service.Catalog.RegisterSuite(new Dictionary<Guid, string[]> { [Guid.NewGuid()] = ["x"] });

        using var unknownSuite = await _http.PostAsJsonAsync("/stress/runs", new { agent_id = agent.AgentId, scenario = "high_load", suite_id = Guid.NewGuid() });
        using var unknownBenchmark = await _http.PostAsJsonAsync("/stress/runs", new { agent_id = agent.AgentId, scenario = "high_load", suite_id = suite, benchmark_id = Guid.NewGuid() });
        using var emptyDataset = await _http.PostAsJsonAsync("/stress/runs", new { agent_id = agent.AgentId, scenario = "high_load", suite_id = empty });

        Assert.Equal(HttpStatusCode.NotFound, unknownSuite.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownBenchmark.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, emptyDataset.StatusCode);
        Assert.Equal("application/problem+json", emptyDataset.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await RunsOfAsync(agent.AgentId));
    }

    [Fact]
    public async Task An_unknown_run_is_404()
    {
        using var response = await _http.GetAsync($"/stress/runs/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Serves_its_openapi_document()
    {
        using var response = await _http.GetAsync("/openapi/v1.json");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/stress/runs/{stress_run_id}", text);
    }
}
