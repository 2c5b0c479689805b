using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Runner.Consumers;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// Runs that lose a benchmark end instead of hanging, and what was paid for is never paid again: the supervisor ends
/// a run whose scoring was lost, a retry scores the stored results again without calling the agent or executes again
/// a benchmark that stored nothing, and a PostgreSQL outage after the agent answered only delays the results. The test
/// plays Scoring; the outage is played on a PostgreSQL server of the test's own.
/// </summary>
public sealed class RunRecoveryTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_run_whose_scoring_is_lost_is_failed_by_the_supervisor_and_a_retry_scores_the_stored_results_without_calling_the_agent()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "lostscoring", settings: new Dictionary<string, string?>
        {
            ["Runner:Supervisor:Interval"] = "00:00:00.2",
            ["Runner:Supervisor:ScoringTimeout"] = "00:00:01",
        });
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var http = host.CreateClient().WithCaller();
        var agentVersion = host.Catalog.AddAgent(AgentProtocols.HttpJson, agent.Endpoint);
        var suite = host.Catalog.AddSuite(
            FakeSuiteCatalog.Benchmark("a", ("q1", "What is 1 + 1?", "2")),
            FakeSuiteCatalog.Benchmark("b", ("q2", "What is 4 / 2?", "2")));
        // Scoring answers for a only: b's scoring is lost.
        var scoreB = false;
        bus.OnExecuted = executed => executed.Benchmark.Name == "a" || Volatile.Read(ref scoreB)
            ? bus.PublishAsync(BusObserver.ScoresFor(executed, 0.9))
            : Task.CompletedTask;

        var runId = await StartRunAsync(http, agentVersion, suite);
        var failed = await http.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "failed", Wait, "the supervisor to fail the run");
        Assert.Equal("completed", Benchmark(failed, "a").GetProperty("status").GetString());
        Assert.Equal("failed", Benchmark(failed, "b").GetProperty("status").GetString());
        Assert.Equal(
            "The agent's results were stored, but Scoring did not score them within 1 second: its message was lost or failed. " +
            "Retrying the run scores the stored results again without calling the agent.",
            Benchmark(failed, "b").GetProperty("error_message").GetString());
        Assert.Equal(2, agent.Requests);
        Assert.Equal(2, await host.CountAsync("benchmark_results"));

        Volatile.Write(ref scoreB, true);
        using (var retry = await http.PostAsync($"/benchmarks/runs/{runId}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
            Assert.Equal($"/benchmarks/runs/{runId}", retry.Headers.Location?.OriginalString);
            var body = await retry.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("running", body.GetProperty("status").GetString());
            Assert.Equal(1, body.GetProperty("rescored_benchmarks").GetInt32());
            Assert.Equal(0, body.GetProperty("reexecuted_benchmarks").GetInt32());
        }

        var completed = await http.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "completed", Wait, "the retried run to complete");
        Assert.Equal(2, completed.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());
        Assert.Equal("completed", Benchmark(completed, "b").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, Benchmark(completed, "b").GetProperty("error_message").ValueKind);
        Assert.Equal(0.9, completed.GetProperty("report").GetProperty("overall_score").GetDouble(), 6);
        // b's stored results went to Scoring a second time; the agent was not called again.
        Assert.Equal(2, bus.Executed.Count(e => e.RunId == runId && e.Benchmark.Name == "b"));
        Assert.Equal(2, agent.Requests);

        // A completed run has nothing to retry.
        using var again = await http.PostAsync($"/benchmarks/runs/{runId}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"Run {runId} is completed: only a failed run can be retried.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_retry_executes_again_a_benchmark_that_stored_no_results_and_a_running_or_unknown_run_is_refused()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "reexecute", settings: new Dictionary<string, string?>
        {
            ["Messaging:TransientRetry:BudgetSeconds"] = "1",
            ["Messaging:TransientRetry:FirstIntervalSeconds"] = "0.2",
        });
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        bus.OnExecuted = executed => bus.PublishAsync(BusObserver.ScoresFor(executed, 0.8));
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var http = host.CreateClient().WithCaller();
        var agentVersion = host.Catalog.AddAgent(AgentProtocols.HttpJson, agent.Endpoint, apiKey: "secret");
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2"), ("q2", "What is 3 - 1?", "2")));
        // Suites is down for the worker for longer than its budget: the benchmark fails before the agent is called.
        host.Catalog.FailAgentLookupsAfter(1);

        var runId = await StartRunAsync(http, agentVersion, suite);
        var failed = await http.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "failed", Wait, "the run to fail");
        Assert.Contains("the suite catalog (Suites) was unavailable", Benchmark(failed, "arith").GetProperty("error_message").GetString());
        Assert.Equal(0, agent.Requests);

        // Suites is back; the agent holds its calls so that the retried run can be seen running.
        host.Catalog.FailAgentLookupsAfter(int.MaxValue / 2);
        agent.Hold(0);
        using (var retry = await http.PostAsync($"/benchmarks/runs/{runId}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
            var body = await retry.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(0, body.GetProperty("rescored_benchmarks").GetInt32());
            Assert.Equal(1, body.GetProperty("reexecuted_benchmarks").GetInt32());
        }

        await Eventually.TrueAsync(() => Task.FromResult(agent.Requests >= 1), Wait, "the benchmark executed again");
        using (var running = await http.PostAsync($"/benchmarks/runs/{runId}/retry", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, running.StatusCode);
            var problem = await running.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal($"Run {runId} is running: only a failed run can be retried.", problem.GetProperty("detail").GetString());
        }

        agent.Release();
        var completed = await http.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "completed", Wait, "the retried run to complete");
        Assert.Equal("completed", Benchmark(completed, "arith").GetProperty("status").GetString());
        Assert.Equal(2, agent.Requests);

        using var unknown = await http.PostAsync($"/benchmarks/runs/{Guid.NewGuid()}/retry", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_PostgreSQL_outage_after_the_agent_answered_delays_its_results_and_loses_or_repeats_nothing()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var log = new LogCapture();
        await using var host = await RunnerHost.StartAsync(infrastructure, "pgoutage",
            services => services.AddSingleton<ILoggerProvider>(log),
            new Dictionary<string, string?>
            {
                ["Messaging:TransientRetry:FirstIntervalSeconds"] = "0.5",
                ["Messaging:TransientRetry:MaxIntervalSeconds"] = "2",
            },
            postgres.ConnectionString("bm_runner_outage"));
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        bus.OnExecuted = executed => bus.PublishAsync(BusObserver.ScoresFor(executed, 0.7));
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var http = host.CreateClient().WithCaller();
        var agentVersion = host.Catalog.AddAgent(AgentProtocols.HttpJson, agent.Endpoint);
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2")));
        agent.Hold(0);

        var runId = await StartRunAsync(http, agentVersion, suite);
        await Eventually.TrueAsync(() => Task.FromResult(agent.Requests == 1), Wait, "the agent called");

        // The database goes away while the agent is answering; the worker holds the paid result and waits it out.
        await postgres.StopAsync();
        agent.Release();
        await Eventually.TrueAsync(() => Task.FromResult(log.Contains("Storing the agent's results failed")), Wait, "the worker to meet the outage");
        await postgres.StartServerAsync();

        var completed = await http.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "completed", Wait, "the run to complete");
        Assert.Equal(0.7, completed.GetProperty("report").GetProperty("overall_score").GetDouble(), 6);
        Assert.Equal(1, agent.Requests);
        Assert.Single(bus.Executed, e => e.RunId == runId);
        Assert.Equal(1, await host.CountAsync("benchmark_results"));
        var formatter = new KebabCaseEndpointNameFormatter(ResourceNames.Runner, false);
        Assert.Equal(0u, await QueueDepth.OfAsync(host.RabbitMqUri, formatter.Consumer<RunBenchmarkConsumer>() + "_error"));
        Assert.Equal(0u, await QueueDepth.OfAsync(host.RabbitMqUri, formatter.Consumer<ExecutionScoredConsumer>() + "_error"));
    }

    private static async Task<Guid> StartRunAsync(HttpClient http, Catalog.CatalogAgentVersion agent, Catalog.CatalogSuite suite)
    {
        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            async_execution = true,
            configuration = new { warmup_runs = 0, iterations = 1 },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();
    }

    private static JsonElement Benchmark(JsonElement run, string name) =>
        run.GetProperty("report").GetProperty("benchmarks").EnumerateArray().Single(b => b.GetProperty("benchmark_name").GetString() == name);
}
