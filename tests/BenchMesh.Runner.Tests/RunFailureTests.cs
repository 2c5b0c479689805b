using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using MassTransit;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// Benchmarks that end badly, and work that must not be done twice: a benchmark whose worker or Scoring gives up
/// fails its run (instead of leaving it "running" forever), and a benchmark is never executed again once finished.
/// The test plays Scoring. Each test has its own Runner, database and virtual host.
/// </summary>
public sealed class RunFailureTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A transient budget of seconds, so that a test can see the worker give up.</summary>
    private static readonly Dictionary<string, string?> ShortTransientBudget = new()
    {
        ["Messaging:TransientRetry:BudgetSeconds"] = "1",
        ["Messaging:TransientRetry:FirstIntervalSeconds"] = "0.2",
    };

    [Fact]
    public async Task A_benchmark_whose_worker_cannot_prepare_it_waits_out_its_budget_without_calling_the_agent_and_fails_its_run()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "workerfault", settings: ShortTransientBudget);
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var http = host.CreateClient().WithCaller();
        // The worker fetches the agent's API key from Suites before calling it: Suites goes down after the API's lookup.
        var agentVersion = host.Catalog.AddAgent(AgentProtocols.HttpJson, agent.Endpoint, apiKey: "secret");
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2")));
        host.Catalog.FailAgentLookupsAfter(1);

        var runId = await StartRunAsync(http, agentVersion, suite, iterations: 1);

        var failed = await http.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "failed", Wait, "the run to fail");
        Assert.Equal(1, failed.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());
        Assert.Equal(JsonValueKind.String, failed.GetProperty("completed_at").ValueKind);
        var benchmark = Assert.Single(failed.GetProperty("report").GetProperty("benchmarks").EnumerateArray());
        Assert.Equal("failed", benchmark.GetProperty("status").GetString());
        Assert.Equal(
            "The runner could not execute the benchmark: the suite catalog (Suites) was unavailable. Retrying the run executes it again.",
            benchmark.GetProperty("error_message").GetString());

        // The API's lookup, then the worker's first attempt and one per wait of its budget (the bus itself does not
        // run the worker again); the agent never called.
        var waits = new Messaging.Resilience.TransientRetryOptions { BudgetSeconds = 1, FirstIntervalSeconds = 0.2 }.Intervals().Count;
        Assert.Equal(1 + 1 + waits, host.Catalog.AgentLookups);
        Assert.Equal(0, agent.Requests);
        Assert.Empty(bus.Executed);
        var announced = await Eventually.GetAsync(() => Task.FromResult(bus.Completed.FirstOrDefault(c => c.RunId == runId)), Wait, "SuiteRunCompleted");
        Assert.Equal("failed", announced.Status);
    }

    [Fact]
    public async Task A_benchmark_Scoring_gives_up_on_is_failed_once_and_the_run_completes_when_the_rest_is_scored()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "scoringfault");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var http = host.CreateClient().WithCaller();
        var agentVersion = host.Catalog.AddAgent(AgentProtocols.HttpJson, agent.Endpoint);
        var suite = host.Catalog.AddSuite(
            FakeSuiteCatalog.Benchmark("a", ("q1", "What is 1 + 1?", "2")),
            FakeSuiteCatalog.Benchmark("b", ("q2", "What is 4 / 2?", "2")));

        var runId = await StartRunAsync(http, agentVersion, suite, iterations: 1);
        await Eventually.TrueAsync(() => Task.FromResult(bus.Executed.Count(e => e.RunId == runId) == 2), Wait, "both benchmarks executed");
        var a = bus.Executed.Single(e => e.RunId == runId && e.Benchmark.Name == "a");
        var b = bus.Executed.Single(e => e.RunId == runId && e.Benchmark.Name == "b");

        // Scoring fails for good on b, and (at least once delivery) its fault arrives twice; then a late score for b.
        await bus.PublishFaultAsync(b, new InvalidOperationException("The rubric cannot be read."));
        await bus.PublishFaultAsync(b, new InvalidOperationException("The rubric cannot be read."));
        await Eventually.TrueAsync(
            () => Task.FromResult(host.Consumed.Count<Fault<BenchmarkExecuted>>(f => f.Message.ExecutionId == b.ExecutionId) == 2), Wait, "both faults handled");
        await bus.PublishAsync(BusObserver.ScoresFor(b, 0.9));
        await Eventually.TrueAsync(
            () => Task.FromResult(host.Consumed.Count<ExecutionScored>(s => s.ExecutionId == b.ExecutionId) == 1), Wait, "the late score handled");

        var running = await http.GetRunAsync(runId);
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal(1, running.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());
        var failedB = Benchmark(running, "b");
        Assert.Equal("failed", failedB.GetProperty("status").GetString());
        Assert.Equal(
            "Scoring could not score the benchmark: The rubric cannot be read. " +
            "The agent's results are stored: retrying the run scores them again without calling the agent.",
            failedB.GetProperty("error_message").GetString());
        Assert.Equal(JsonValueKind.Null, failedB.GetProperty("overall_score").ValueKind);
        Assert.Equal("pending", Benchmark(running, "a").GetProperty("status").GetString());
        Assert.Empty(bus.Completed);

        await bus.PublishAsync(BusObserver.ScoresFor(a, 0.8));

        var completed = await http.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "failed", Wait, "the run to complete as failed");
        Assert.Equal(2, completed.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());
        Assert.Equal("completed", Benchmark(completed, "a").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, Benchmark(completed, "a").GetProperty("error_message").ValueKind);
        Assert.Equal(0.4, completed.GetProperty("report").GetProperty("overall_score").GetDouble(), 6); // b counts as 0
        var announced = await Eventually.GetAsync(() => Task.FromResult(bus.Completed.FirstOrDefault(c => c.RunId == runId)), Wait, "SuiteRunCompleted");
        Assert.Equal("failed", announced.Status);
        Assert.Equal(0.4, announced.OverallScore, 6);
    }

    [Fact]
    public async Task A_redelivered_command_of_a_finished_benchmark_is_skipped_and_a_command_from_elsewhere_is_executed()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "skipfinished");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        bus.OnExecuted = executed => bus.PublishAsync(BusObserver.ScoresFor(executed, 0.9));
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var http = host.CreateClient().WithCaller();
        var agentVersion = host.Catalog.AddAgent(AgentProtocols.HttpJson, agent.Endpoint);
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2"), ("q2", "What is 3 - 1?", "2")));

        var runId = await StartRunAsync(http, agentVersion, suite, iterations: 1);
        await http.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "completed", Wait, "the run to complete");
        var executed = Assert.Single(bus.Executed, e => e.RunId == runId);
        Assert.Equal(2, agent.Requests);

        // The same command again (a redelivery after the benchmark was scored): acknowledged, the agent not called.
        var command = CommandOf(executed);
        await bus.PublishAsync(command);
        await Eventually.TrueAsync(
            () => Task.FromResult(host.Consumed.Count<RunBenchmark>(c => c.ExecutionId == command.ExecutionId) == 2), Wait, "the repeated command handled");
        Assert.Equal(2, agent.Requests);
        Assert.Single(bus.Executed, e => e.ExecutionId == command.ExecutionId);
        var run = await http.GetRunAsync(runId);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal(1, run.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());

        // A command this runner's API did not record (no run_benchmarks row) is executed.
        var foreign = command with { RunId = Guid.NewGuid(), ExecutionId = Guid.NewGuid() };
        await bus.PublishAsync(foreign);
        var foreignExecuted = await Eventually.GetAsync(
            () => Task.FromResult(bus.Executed.FirstOrDefault(e => e.ExecutionId == foreign.ExecutionId)), Wait, "the foreign command executed");
        Assert.Equal(2, foreignExecuted.Samples.Count);
        Assert.Equal(4, agent.Requests);
    }

    private static RunBenchmark CommandOf(BenchmarkExecuted executed) => new()
    {
        RunId = executed.RunId,
        ExecutionId = executed.ExecutionId,
        SuiteId = executed.SuiteId,
        SuiteCategory = executed.SuiteCategory,
        Agent = executed.Agent,
        Benchmark = executed.Benchmark,
        Configuration = new RunConfiguration { WarmupRuns = executed.WarmupRuns, Iterations = executed.Iterations },
        RequestedAt = DateTimeOffset.UtcNow,
    };

    private static async Task<Guid> StartRunAsync(HttpClient http, Catalog.CatalogAgentVersion agent, Catalog.CatalogSuite suite, int iterations)
    {
        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            async_execution = true,
            configuration = new { warmup_runs = 0, iterations },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();
    }

    private static JsonElement Benchmark(JsonElement run, string name) =>
        run.GetProperty("report").GetProperty("benchmarks").EnumerateArray().Single(b => b.GetProperty("benchmark_name").GetString() == name);

}
