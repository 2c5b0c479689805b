using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// Each constraint of a benchmark stops it early through the real Runner, and the published execution names it
/// (§2.1, SHARED-DECISIONS 3). The samples still cover iterations × items: the calls not made are "skipped".
/// </summary>
public sealed class RunLimitsTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly SampleAgentsServer _sampleAgents = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sampleAgents.DisposeAsync();

    private static BenchmarkDefinition Arithmetic(BenchmarkConstraints constraints) =>
        FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 12 + 7?", "19"), ("q2", "What is 3 * 4?", "12"), ("q3", "What is 9 - 2?", "7"))
            with { Constraints = constraints };

    [Fact]
    public async Task A_task_over_the_token_limit_fails_as_limit_exceeded_and_terminates_the_benchmark()
    {
        // The sample agent reports 7 input tokens ("What is 12 + 7?": 5 words x 1.3) and 1 output token.
        var executed = await RunAsync("tokenlimit", $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=1",
            new BenchmarkConstraints { TimeoutSeconds = 10, TokenLimit = 6 });

        AssertTerminated(executed, TerminationReasons.TokenLimit, afterCalls: 1);
        var over = executed.Samples[0];
        Assert.Equal(SampleErrorKinds.LimitExceeded, over.ErrorKind);
        Assert.Equal("The task used 8 tokens, over the token_limit of 6.", over.Error);
        Assert.Equal("19", over.Output);
        Assert.Equal(8, over.InputTokens + over.OutputTokens); // spent, so counted and billed
        Assert.True(over.CostUsd > 0);
        Assert.Contains("token_limit", executed.Termination!.Detail);
        // Warm-ups ran to the end: the limits apply to the measured calls.
        Assert.Equal(3 * 3, executed.Warmup!.Calls);
    }

    [Fact]
    public async Task The_cumulative_cost_passing_the_cost_limit_terminates_the_benchmark()
    {
        var executed = await RunAsync("costlimit", $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=1",
            new BenchmarkConstraints { TimeoutSeconds = 10, CostLimitUsd = 0.025m }, pricing: new Pricing(0m, 0m, 0.01m));

        // 0.01 USD a call: the third call takes the total to 0.03, past 0.025; it is recorded as made.
        AssertTerminated(executed, TerminationReasons.CostLimit, afterCalls: 3);
        Assert.All(executed.Samples.Take(3), s => Assert.Null(s.ErrorKind));
        Assert.Equal("The measured calls cost 0.03 USD, over the cost_limit_usd of 0.025 USD.", executed.Termination!.Detail);
        Assert.Equal(0.09m, executed.Warmup!.CostUsd); // 3 warm-up passes x 3 items, counted apart
    }

    [Fact]
    public async Task The_measured_calls_passing_the_total_time_limit_terminate_the_benchmark()
    {
        var executed = await RunAsync("timelimit", $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=40",
            new BenchmarkConstraints { TimeoutSeconds = 10, TotalTimeLimitMs = 100 });

        var termination = executed.Termination!;
        Assert.Equal(TerminationReasons.TimeLimit, termination.Reason);
        Assert.True(executed.TerminatedEarly);
        Assert.True(termination.AtMs > 100);
        Assert.Contains("total_time_limit_ms of 100 ms", termination.Detail);
        // One call at a time: the calls made are the ones completed when it tripped, then only skips.
        Assert.InRange(termination.AfterCalls, 1, executed.Samples.Count - 1);
        Assert.All(executed.Samples.Take(termination.AfterCalls), s => Assert.Null(s.ErrorKind));
        Assert.All(executed.Samples.Skip(termination.AfterCalls), s => Assert.Equal(SampleErrorKinds.Skipped, s.ErrorKind));
    }

    [Fact]
    public async Task A_task_over_the_time_limit_is_a_timeout_and_consecutive_timeouts_terminate_the_benchmark()
    {
        await using var stub = await StubAgentServer.StartAsync();
        var executed = await RunAsync("tasktime", $"{stub.BaseUrl}/slow",
            new BenchmarkConstraints { TimeoutSeconds = 30, TimeLimitMs = 200 }, maxConsecutiveFailures: 2);

        AssertTerminated(executed, TerminationReasons.ConsecutiveFailures, afterCalls: 2);
        Assert.All(executed.Samples.Take(2), s =>
        {
            Assert.Equal(SampleErrorKinds.Timeout, s.ErrorKind);
            Assert.Equal("No complete answer within 0.2 s.", s.Error); // time_limit_ms, not timeout_seconds, is the call timeout
        });
        Assert.StartsWith("2 consecutive calls failed (max_consecutive_failures 2)", executed.Termination!.Detail);
    }

    [Fact]
    public async Task A_limit_a_client_reports_such_as_memory_terminates_the_benchmark()
    {
        // A client of the test's own protocol reports what the process client does when a task passes memory_limit_mb.
        await using var host = await RunnerHost.StartAsync(infrastructure, "memorylimit",
            services => services.AddSingleton<IAgentClient, MemoryHungryClient>());
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var agent = new AgentSnapshot
        {
            AgentId = Guid.NewGuid(),
            AgentName = "memory-hungry",
            Version = "1",
            Protocol = MemoryHungryClient.ProtocolName,
            Endpoint = """{"command":["hungry"],"mode":"per_call"}""",
            Pricing = Pricing.Free,
        };
        var command = new RunBenchmark
        {
            RunId = Guid.NewGuid(),
            ExecutionId = Guid.NewGuid(),
            SuiteId = Guid.NewGuid(),
            SuiteCategory = "efficiency",
            Agent = agent,
            Benchmark = Arithmetic(new BenchmarkConstraints { MemoryLimitMb = 64 }),
            Configuration = new RunConfiguration { WarmupRuns = 0, Iterations = 2 },
            RequestedAt = DateTimeOffset.UtcNow,
        };

        await bus.PublishAsync(command);

        var executed = await Eventually.GetAsync(
            () => Task.FromResult(bus.Executed.FirstOrDefault(e => e.ExecutionId == command.ExecutionId)), Wait, "the benchmark executed");
        AssertTerminated(executed, TerminationReasons.MemoryLimit, afterCalls: 1);
        var over = executed.Samples[0];
        Assert.Equal(SampleErrorKinds.LimitExceeded, over.ErrorKind);
        Assert.Equal(MemoryHungryClient.Error, over.Error);
        Assert.Equal(80, over.PeakMemoryMb);
        Assert.Contains(MemoryHungryClient.Error, executed.Termination!.Detail);
        Assert.Equal(MemoryHungryClient.ProtocolName, executed.Environment!.Transport);
    }

    private static void AssertTerminated(BenchmarkExecuted executed, string reason, int afterCalls)
    {
        Assert.True(executed.TerminatedEarly);
        var termination = executed.Termination!;
        Assert.Equal(reason, termination.Reason);
        Assert.Equal(afterCalls, termination.AfterCalls);
        Assert.True(termination.AtMs >= 0);

        // Still iterations x items, in order; every call after the trip is a skip that says why.
        Assert.Equal(executed.Iterations * executed.Benchmark.Items.Count, executed.Samples.Count);
        Assert.Equal(
            Enumerable.Range(0, executed.Iterations).SelectMany(i => executed.Benchmark.Items.Select(item => (i, item.Id))),
            executed.Samples.Select(s => (s.Iteration, s.ItemId)));
        Assert.All(executed.Samples.Skip(afterCalls), s =>
        {
            Assert.Equal(SampleErrorKinds.Skipped, s.ErrorKind);
            Assert.StartsWith($"Not executed: the benchmark was terminated early ({reason}): ", s.Error);
        });
    }

    private async Task<BenchmarkExecuted> RunAsync(
        string purpose, string endpoint, BenchmarkConstraints constraints, Pricing? pricing = null, int maxConsecutiveFailures = 20)
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, purpose);
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        var agent = host.Catalog.AddAgent(AgentProtocols.HttpJson, endpoint, pricing: pricing);
        var suite = host.Catalog.AddSuite(Arithmetic(constraints));

        // The defaults (3 warm-ups, 5 measured passes), one call at a time so that the trip point is exact.
        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            configuration = new { max_consecutive_failures = maxConsecutiveFailures },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();
        return await Eventually.GetAsync(() => Task.FromResult(bus.Executed.FirstOrDefault(e => e.RunId == runId)), Wait, "the benchmark executed");
    }

    /// <summary>Every task goes over its memory limit, as the process client reports it.</summary>
    private sealed class MemoryHungryClient : IAgentClient
    {
        public const string ProtocolName = "test-memory-hungry";
        public const string Error = "The task's resident memory reached 80 MiB, over the memory_limit_mb of 64; it was killed.";

        public string Protocol => ProtocolName;

        public Task<AgentCallResult> CallAsync(AgentCall call, CancellationToken ct) => Task.FromResult(
            // The benchmark's memory_limit_mb reaches the client with the call.
            AgentCallResult.Failure(SampleErrorKinds.LimitExceeded, call.MemoryLimitMb == 64 ? Error : $"Unexpected limit {call.MemoryLimitMb}.", 12) with
            {
                ExceededLimit = TerminationReasons.MemoryLimit,
                PeakMemoryMb = 80,
                CpuTimeMs = 5,
            });
    }
}
