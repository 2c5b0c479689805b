using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// Process agents through the real Runner (API, outbox, RabbitMQ, worker): the sample calculator in front of bc runs a
/// suite; a runner that has not enabled process agents refuses the run. The test plays Scoring's part by checking the
/// published samples against the exact_match rubric.
/// </summary>
public sealed class ProcessAgentRunTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    /// <summary>The operator's switch, as Runner:ProcessAgents configuration would set it.</summary>
    private static Action<IServiceCollection> ProcessAgents(ProcessAgentOptions options) =>
        services => services.AddSingleton(Options.Create(options));

    private static readonly Action<IServiceCollection> Enabled = ProcessAgents(new ProcessAgentOptions { Enabled = true });

    private static BenchmarkDefinition Arithmetic(double? memoryLimitMb = null) =>
        FakeSuiteCatalog.Benchmark("arithmetic", ("q1", "What is 12 + 7?", "19"), ("q2", "What is 3 * (4 + 5)?", "27"), ("q3", "What is 10 / 4?", "2.5"))
        with { Constraints = new BenchmarkConstraints { TimeoutSeconds = 60, MemoryLimitMb = memoryLimitMb } };

    private static async Task<Guid> StartAsync(HttpClient http, CatalogAgentVersion agent, CatalogSuite suite, int iterations)
    {
        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            configuration = new { warmup_runs = 1, iterations },
        });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();
    }

    [Theory]
    [InlineData(ProcessModes.PerCall)]
    [InlineData(ProcessModes.JsonLines)]
    public async Task A_process_agent_runs_a_suite_end_to_end_with_accuracy_one_and_memory_and_cpu_in_every_sample(string mode)
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "process_run", Enabled);
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        // A per_call agent's figures are readings taken while it lives, so it lives half a second (a `sleep 0.5` child):
        // bc alone answered in 37 ms, before a machine at load 19 let the first reading run. A json_lines worker is
        // read after each answer, still running.
        var agent = host.Catalog.AddAgent(AgentProtocols.Process,
            mode == ProcessModes.JsonLines ? SampleProcessAgents.Endpoint(mode, "--json-lines") : SampleProcessAgents.Endpoint(mode, "--sleep-seconds", "0.5"));
        var suite = host.Catalog.AddSuite(Arithmetic(memoryLimitMb: 512));

        var runId = await StartAsync(http, agent, suite, iterations: 2);

        var executed = await Eventually.GetAsync(() => Task.FromResult(bus.Executed.FirstOrDefault(e => e.RunId == runId)), Wait, "BenchmarkExecuted");
        Assert.Equal(6, executed.Samples.Count);
        Assert.All(executed.Samples, s =>
        {
            Assert.True(s.ErrorKind is null, s.Error);
            Assert.True(s.PeakMemoryMb > 1, $"peak {s.PeakMemoryMb} MB");
            Assert.NotNull(s.CpuTimeMs);
        });
        // exact_match over every sample: accuracy 1.0.
        var expected = suite.Benchmarks[0].Items.ToDictionary(i => i.Id, i => i.Expected);
        Assert.All(executed.Samples, s => Assert.Equal(expected[s.ItemId], s.Output));
        // CPU time has the kernel's clock-tick resolution (10 ms, ProcessTreeMonitor): every sample is a whole number of
        // ticks. A process per call spends ticks starting up; a json_lines worker already running answers a bc sum in
        // well under one tick, so its tasks may all read 0 (it did, in about one run in three).
        Assert.All(executed.Samples, s => Assert.Equal(0, s.CpuTimeMs!.Value % 10, 9));
        if (mode == ProcessModes.PerCall)
        {
            Assert.True(executed.Samples.Sum(s => s.CpuTimeMs) > 0);
        }

        Assert.False(executed.TerminatedEarly);
    }

    [Fact]
    public async Task A_memory_hungry_process_agent_is_stopped_at_the_benchmarks_memory_limit()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "process_memory", Enabled);
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        // It holds what it allocated until killed (its `sleep 600` child waits): only the limit can end its task early.
        var agent = host.Catalog.AddAgent(AgentProtocols.Process, SampleProcessAgents.Endpoint(ProcessModes.PerCall, "--hog-mb", "1000", "--sleep-seconds", "600"));
        var suite = host.Catalog.AddSuite(Arithmetic(memoryLimitMb: 64));

        var runId = await StartAsync(http, agent, suite, iterations: 1);

        var executed = await Eventually.GetAsync(() => Task.FromResult(bus.Executed.FirstOrDefault(e => e.RunId == runId)), Wait, "BenchmarkExecuted");
        // The first task passes the limit; whether the rest are executed or skipped is the benchmark's termination rule.
        var first = executed.Samples.First(s => s.ErrorKind != SampleErrorKinds.Skipped);
        Assert.Equal(SampleErrorKinds.LimitExceeded, first.ErrorKind);
        Assert.Contains("64 MB", first.Error);
        Assert.True(first.PeakMemoryMb is > 64 and < 1000, $"peak {first.PeakMemoryMb} MB");
        Assert.All(executed.Samples, s => Assert.Contains(s.ErrorKind, new[] { SampleErrorKinds.LimitExceeded, SampleErrorKinds.Skipped }));
    }

    [Fact]
    public async Task A_runner_without_process_agents_enabled_answers_422_saying_how_to_enable_them()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "process_off");
        var http = host.CreateClient().WithCaller();
        Assert.False(host.Services.GetRequiredService<IOptions<ProcessAgentOptions>>().Value.Enabled); // the shipped default
        var agent = host.Catalog.AddAgent(AgentProtocols.Process, SampleProcessAgents.Endpoint(ProcessModes.PerCall));
        var suite = host.Catalog.AddSuite(Arithmetic());

        using var response = await http.PostAsJsonAsync("/benchmarks/run", new { agent_id = agent.Snapshot.AgentId, suite_id = suite.SuiteId });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The process agent cannot run on this runner.", problem.GetProperty("title").GetString());
        Assert.Contains("Runner:ProcessAgents:Enabled", problem.GetProperty("detail").GetString());
        Assert.Contains("Runner__ProcessAgents__Enabled=true", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await host.CountAsync("runs"));
        Assert.Equal(0, await host.CountAsync("outbox_messages"));
    }

    [Fact]
    public async Task An_enabled_runner_refuses_programs_outside_its_allow_list_and_commands_that_are_not_argv()
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, "process_allow", ProcessAgents(new ProcessAgentOptions
        {
            Enabled = true,
            AllowedExecutables = [Path.GetDirectoryName(SampleProcessAgents.Calculator)! + "/"],
        }));
        var http = host.CreateClient().WithCaller();
        var suite = host.Catalog.AddSuite(Arithmetic());

        foreach (var (endpoint, reason) in new[]
                 {
                     (SampleProcessAgents.Command(["jq", "-c", "."]), "AllowedExecutables"),
                     ("python3 agent.py", "not JSON"),
                     (SampleProcessAgents.Command(["/nonexistent/agent"]), "not found"),
                 })
        {
            var agent = host.Catalog.AddAgent(AgentProtocols.Process, endpoint);
            using var response = await http.PostAsJsonAsync("/benchmarks/run", new { agent_id = agent.Snapshot.AgentId, suite_id = suite.SuiteId });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        Assert.Equal(0, await host.CountAsync("runs"));
        var allowed = host.Catalog.AddAgent(AgentProtocols.Process, SampleProcessAgents.Endpoint(ProcessModes.PerCall));
        using var accepted = await http.PostAsJsonAsync("/benchmarks/run", new { agent_id = allowed.Snapshot.AgentId, suite_id = suite.SuiteId });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }
}
