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
    private readonly HttpClient _http = service.App.CreateClient();

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
            parameters = new { requests = 60, concurrency = 4, duration_seconds = 20 },
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
        Assert.Equal(60, done.GetProperty("progress").GetProperty("requests_completed").GetInt64());
        Assert.Equal(4, done.GetProperty("parameters").GetProperty("concurrency").GetInt32());
        var result = done.GetProperty("result");
        Assert.Equal(60, result.GetProperty("requests").GetInt64());
        Assert.Equal(6, result.GetProperty("errors").GetInt64());
        Assert.Equal(0.1, result.GetProperty("error_rate").GetDouble());
        Assert.Equal(6, result.GetProperty("errors_by_kind").GetProperty("http_status").GetInt64());
        Assert.True(result.GetProperty("achieved_rps").GetDouble() > 0);
        var latency = result.GetProperty("latency_ms");
        var percentiles = new[] { "p50", "p90", "p95", "p99", "max" }.Select(p => latency.GetProperty(p).GetDouble()).ToList();
        Assert.Equal(percentiles.Order().ToList(), percentiles);
        Assert.True(latency.GetProperty("p99").GetDouble() >= 30, "every 9th request is 30 ms slower");

        var stored = await service.WithDbAsync(db => db.StressRuns.SingleAsync(r => r.StressRunId == id));
        Assert.Equal(StressRunStatuses.Completed, stored.Status);
        Assert.Contains("\"p95\"", stored.ResultJson);

        var completed = (await probe.NextAsync(Timeout, "StressTestCompleted")).Message;
        Assert.Equal(id, completed.GetProperty("stressRunId").GetGuid());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(60, completed.GetProperty("requests").GetInt64());
        Assert.Equal(0.1, completed.GetProperty("errorRate").GetDouble());
    }

    [Fact]
    public async Task A_scenario_without_parameters_runs_with_its_documented_defaults()
    {
        var agent = service.Catalog.Register("openai-chat", $"{service.Agent.Address}/openai");

        using var response = await _http.PostAsJsonAsync("/stress/runs", new { agent_id = agent.AgentId, scenario = "large_inputs" });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stress_run_id").GetGuid();
        var run = await GetRunAsync($"/stress/runs/{id}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var parameters = run.GetProperty("parameters");
        Assert.Equal(50, parameters.GetProperty("requests").GetInt32());
        Assert.Equal(2, parameters.GetProperty("concurrency").GetInt32());
        Assert.Equal(30, parameters.GetProperty("duration_seconds").GetInt32());
        Assert.Equal(16_000, parameters.GetProperty("input_chars").GetInt32());
        Assert.Equal(50, run.GetProperty("progress").GetProperty("requests_planned").GetInt32());
        // The latest version was resolved through the catalog.
        Assert.Equal("1.0", run.GetProperty("agent_version").GetString());
    }

    public static TheoryData<string, string> InvalidRequests => new()
    {
        { """{"agent_id":"AGENT","scenario":"bogus"}""", "scenario" },
        { """{"agent_id":"AGENT","scenario":"spike","parameters":{"requests":0}}""", "parameters.requests" },
        { """{"agent_id":"AGENT","scenario":"spike","parameters":{"requests":100001}}""", "parameters.requests" },
        { """{"agent_id":"AGENT","scenario":"spike","parameters":{"concurrency":257}}""", "parameters.concurrency" },
        { """{"agent_id":"AGENT","scenario":"spike","parameters":{"duration_seconds":301}}""", "parameters.duration_seconds" },
        { """{"agent_id":"AGENT","scenario":"spike","parameters":{"duration_seconds":0}}""", "parameters.duration_seconds" },
        { """{"scenario":"spike"}""", "agent_id" },
        { """{"agent_id":"not-a-uuid","scenario":"spike"}""", "agent_id" },
        { """{"agent_id":"AGENT"}""", "scenario" },
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
