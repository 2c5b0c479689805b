using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Runner.Apis;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests;

/// <summary>One Runner (own database and vhost) and one SampleAgents server for the rejection tests.</summary>
public sealed class RunnerApiFixture : IAsyncLifetime
{
    private readonly Infrastructure _infrastructure = new();

    public RunnerHost Host { get; private set; } = null!;
    public SampleAgentsServer SampleAgents { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        Host = await RunnerHost.StartAsync(_infrastructure, "runapi");
        SampleAgents = new SampleAgentsServer();
    }

    public async Task DisposeAsync()
    {
        await SampleAgents.DisposeAsync();
        await Host.DisposeAsync();
        await _infrastructure.DisposeAsync();
    }
}

/// <summary>POST /benchmarks/run rejections: each answers a ProblemDetails and writes nothing.</summary>
public sealed class RunsApiTests(RunnerApiFixture fixture) : IClassFixture<RunnerApiFixture>
{
    private readonly HttpClient _http = fixture.Host.CreateClient().WithCaller();

    private async Task AssertNothingWrittenAsync()
    {
        Assert.Equal(0, await fixture.Host.CountAsync("runs"));
        Assert.Equal(0, await fixture.Host.CountAsync("run_benchmarks"));
        Assert.Equal(0, await fixture.Host.CountAsync("outbox_messages"));
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Invalid_fields_are_400_with_snake_case_paths()
    {
        using var response = await _http.PostAsJsonAsync("/benchmarks/run", new
        {
            suite_id = "not-a-guid",
            configuration = new { iterations = 101, concurrency = 0, warmup_runs = 21, timeout_seconds = 601 },
        });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(
            ["agent_id", "configuration.concurrency", "configuration.iterations", "configuration.timeout_seconds", "configuration.warmup_runs", "suite_id"],
            fields);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Iterations_that_would_give_a_benchmark_more_than_100000_samples_are_400()
    {
        var agent = fixture.Host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{fixture.SampleAgents.BaseUrl}/http-json/fast");
        var items = Enumerable.Range(1, 1001).Select(i => ($"q{i}", $"What is {i} + 1?", $"{i + 1}")).ToArray();
        var suite = fixture.Host.Catalog.AddSuite(
            FakeSuiteCatalog.Benchmark("small", ("q1", "What is 1 + 1?", "2")),
            FakeSuiteCatalog.Benchmark("large", items));

        // 1001 items x 100 iterations = 100,100 samples in one BenchmarkExecuted.
        using var response = await _http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            configuration = new { iterations = 100 },
        });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateObject());
        Assert.Equal("configuration.iterations", error.Name);
        var message = error.Value[0].GetString();
        Assert.Contains("at most 99", message);
        Assert.Contains("'large' has 1001 items", message);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Malformed_json_is_400_problem()
    {
        using var response = await _http.PostAsync("/benchmarks/run", new StringContent("{\"agent_id\": ", Encoding.UTF8, "application/json"));
        await ProblemAsync(response, HttpStatusCode.BadRequest);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Unknown_agent_version_or_suite_is_404()
    {
        var agent = fixture.Host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{fixture.SampleAgents.BaseUrl}/http-json/fast");
        var suite = fixture.Host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2")));

        using (var unknownAgent = await _http.PostAsJsonAsync("/benchmarks/run", new { agent_id = Guid.NewGuid(), suite_id = suite.SuiteId }))
        {
            Assert.Equal("Agent not found.", (await ProblemAsync(unknownAgent, HttpStatusCode.NotFound)).GetProperty("title").GetString());
        }

        using (var unknownVersion = await _http.PostAsJsonAsync("/benchmarks/run", new { agent_id = agent.Snapshot.AgentId, agent_version = "9.9", suite_id = suite.SuiteId }))
        {
            await ProblemAsync(unknownVersion, HttpStatusCode.NotFound);
        }

        using (var unknownSuite = await _http.PostAsJsonAsync("/benchmarks/run", new { agent_id = agent.Snapshot.AgentId, suite_id = Guid.NewGuid() }))
        {
            Assert.Equal("Suite not found.", (await ProblemAsync(unknownSuite, HttpStatusCode.NotFound)).GetProperty("title").GetString());
        }

        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Unreachable_endpoint_or_unexecutable_protocol_is_422()
    {
        var suite = fixture.Host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2")));
        var unreachable = fixture.Host.Catalog.AddAgent(AgentProtocols.HttpJson, StubAgentServer.RefusingUrl() + "/agent");
        var process = fixture.Host.Catalog.AddAgent(AgentProtocols.Process, $"{fixture.SampleAgents.BaseUrl}/http-json/fast");

        using (var response = await _http.PostAsJsonAsync("/benchmarks/run", new { agent_id = unreachable.Snapshot.AgentId, suite_id = suite.SuiteId }))
        {
            var problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
            Assert.Equal("The agent's endpoint is unreachable.", problem.GetProperty("title").GetString());
            Assert.Equal(TcpEndpointProbe.Unreachable, problem.GetProperty("detail").GetString());
        }

        using (var response = await _http.PostAsJsonAsync("/benchmarks/run", new { agent_id = process.Snapshot.AgentId, suite_id = suite.SuiteId }))
        {
            var problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
            Assert.Contains("process", problem.GetProperty("detail").GetString());
        }

        await AssertNothingWrittenAsync();
    }

    /// <summary>
    /// A closed port, cloud metadata, a private address, link-local IPv6 and a hex spelling of loopback: one answer for
    /// all, without addresses or ports, so the preflight cannot be used to map the runner's network.
    /// </summary>
    [Fact]
    public async Task The_preflight_says_unreachable_without_network_details()
    {
        var suite = fixture.Host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2")));
        var closedPort = StubAgentServer.FreePort();
        string[] endpoints =
        [
            $"http://127.0.0.1:{closedPort}/agent", "http://169.254.169.254/latest/meta-data", "http://10.0.0.1:6379/",
            "http://[fe80::1]:22/", $"http://0x7f000001:{closedPort}/",
        ];

        foreach (var endpoint in endpoints)
        {
            var agent = fixture.Host.Catalog.AddAgent(AgentProtocols.HttpJson, endpoint);
            using var response = await _http.PostAsJsonAsync("/benchmarks/run", new { agent_id = agent.Snapshot.AgentId, suite_id = suite.SuiteId });
            var problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
            var text = problem.GetRawText();
            Assert.Equal(TcpEndpointProbe.Unreachable, problem.GetProperty("detail").GetString());
            foreach (var detail in new[] { closedPort.ToString(CultureInfo.InvariantCulture), "127.0.0", "169.254", "10.0.0.1", "fe80", "6379", "refused the connection" })
            {
                Assert.DoesNotContain(detail, text, StringComparison.OrdinalIgnoreCase);
            }
        }

        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Unknown_run_is_404()
    {
        using var response = await _http.GetAsync($"/benchmarks/runs/{Guid.NewGuid()}");
        await ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Openapi_document_describes_the_runs_api()
    {
        var document = await _http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/benchmarks/run", out _));
        Assert.True(paths.TryGetProperty("/benchmarks/runs/{run_id}", out _));
    }
}
