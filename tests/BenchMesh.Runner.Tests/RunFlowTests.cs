using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// A run end to end through the real Runner, PostgreSQL, RabbitMQ and SampleAgents; the test plays Scoring.
/// Each test has its own database and virtual host.
/// </summary>
public sealed class RunFlowTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly SampleAgentsServer _sampleAgents = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sampleAgents.DisposeAsync();


    [Fact]
    public async Task Async_run_is_executed_scored_and_completed_counting_each_score_once()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "flow");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        var agent = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=5");
        var suite = host.Catalog.AddSuite(
            FakeSuiteCatalog.Benchmark("arithmetic", ("q1", "What is 12 + 7?", "19"), ("q2", "Compute 3 * 4", "12")),
            FakeSuiteCatalog.Benchmark("text", ("t1", "Reverse: abc", "cba")));

        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            async_execution = true,
            configuration = new { warmup_runs = 1, iterations = 2, concurrency = 2 },
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var runId = accepted.GetProperty("run_id").GetGuid();
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.Equal($"/benchmarks/runs/{runId}", accepted.GetProperty("status_url").GetString());
        Assert.Equal($"/benchmarks/runs/{runId}", response.Headers.Location?.OriginalString);

        // The workers execute both benchmarks and publish every measured sample.
        await Eventually.TrueAsync(() => Task.FromResult(bus.Executed.Count(e => e.RunId == runId) >= 2), Wait, "both BenchmarkExecuted");
        var executed = bus.Executed.Where(e => e.RunId == runId).OrderBy(e => e.Benchmark.Name).ToList();
        var arithmetic = executed[0];
        Assert.Equal("arithmetic", arithmetic.Benchmark.Name);
        Assert.Equal(4, arithmetic.Samples.Count); // 2 iterations x 2 items, warm-up not reported
        Assert.All(arithmetic.Samples, s =>
        {
            Assert.Null(s.ErrorKind);
            Assert.True(s.TokensReportedByAgent);
            Assert.True(s.DurationMs > 0);
        });
        Assert.Equal(["19", "12", "19", "12"], arithmetic.Samples.Select(s => s.Output));
        Assert.Equal([0, 0, 1, 1], arithmetic.Samples.Select(s => s.Iteration));
        Assert.False(arithmetic.TerminatedEarly);
        Assert.Equal(agent.Snapshot.AgentId, arithmetic.Agent.AgentId);
        Assert.Equal(1, arithmetic.WarmupRuns);

        var running = await http.GetRunAsync(runId);
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal(0, running.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());
        Assert.Equal(2, running.GetProperty("progress").GetProperty("total_benchmarks").GetInt32());

        // Scoring answers the first benchmark, and (at least once delivery) answers it again.
        await bus.PublishAsync(BusObserver.ScoresFor(executed[0], 0.8));
        await http.RunWhenAsync(runId, r => r.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32() == 1, Wait, "first score recorded");
        await bus.PublishAsync(BusObserver.ScoresFor(executed[0], 0.8));
        await bus.PublishAsync(BusObserver.ScoresFor(executed[1], 0.6));

        var completed = await http.RunWhenAsync(runId,
            r => r.GetProperty("status").GetString() == "completed"
                 && r.GetProperty("report").GetProperty("benchmarks").EnumerateArray().All(b => b.GetProperty("status").GetString() == "completed"),
            Wait, "run completed with both benchmarks scored");
        Assert.Equal(2, completed.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());
        var report = completed.GetProperty("report");
        Assert.Equal(0.7, report.GetProperty("overall_score").GetDouble(), 6);
        Assert.Equal(0.7, report.GetProperty("accuracy_score").GetDouble(), 6);
        var first = report.GetProperty("benchmarks")[0];
        Assert.Equal("arithmetic", first.GetProperty("benchmark_name").GetString());
        Assert.Equal(arithmetic.ExecutionId, first.GetProperty("execution_id").GetGuid());
        Assert.Equal(0.8, first.GetProperty("overall_score").GetDouble(), 6);
        Assert.Equal(4, first.GetProperty("api_calls_made").GetInt32());
        Assert.Equal(11.5, first.GetProperty("median_latency_ms").GetDouble());
        Assert.Equal(JsonValueKind.String, completed.GetProperty("completed_at").ValueKind);
        Assert.Equal(2, completed.GetProperty("configuration").GetProperty("iterations").GetInt32());

        // The completion is announced once, through the outbox.
        var announced = await Eventually.GetAsync(() => Task.FromResult(bus.Completed.FirstOrDefault(c => c.RunId == runId)), Wait, "SuiteRunCompleted");
        Assert.Equal("completed", announced.Status);
        Assert.Equal(0.7, announced.OverallScore, 6);
    }

    [Fact]
    public async Task Sync_run_against_a_streaming_agent_returns_the_report_and_a_failed_benchmark_fails_the_run()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "sync");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        bus.OnExecuted = executed => bus.PublishAsync(BusObserver.ScoresFor(executed, 0.1, status: "failed"));
        var http = host.CreateClient().WithCaller();
        var agent = host.Catalog.AddAgent(AgentProtocols.OpenAiChat, $"{_sampleAgents.BaseUrl}/openai/baseline?accuracy=1&latency_ms=20");
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("capitals", ("c1", "Capital of France?", "Paris")));

        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            async_execution = false,
            configuration = new { warmup_runs = 0, iterations = 2, timeout_seconds = 30 },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());
        Assert.Equal(0.1, run.GetProperty("report").GetProperty("overall_score").GetDouble(), 6);

        var executed = Assert.Single(bus.Executed);
        Assert.All(executed.Samples, s =>
        {
            Assert.Null(s.ErrorKind);
            Assert.Equal("Paris", s.Output);
            Assert.True(s.TokensReportedByAgent);
            Assert.NotNull(s.TimeToFirstTokenMs);
            Assert.InRange(s.TimeToFirstTokenMs!.Value, 15, s.DurationMs);
        });
    }

    [Fact]
    public async Task Sync_run_that_outlasts_its_timeout_answers_202_with_the_run_as_it_stands()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "synctimeout");
        var http = host.CreateClient().WithCaller();
        var agent = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast");
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2")));

        // Nobody scores in this test, so the run cannot complete within the second it may wait.
        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            async_execution = false,
            configuration = new { timeout_seconds = 1 },
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(run.GetProperty("status").GetString(), new[] { "queued", "running" });
        Assert.Equal(1, run.GetProperty("progress").GetProperty("total_benchmarks").GetInt32());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("completed_at").ValueKind);
    }
}
