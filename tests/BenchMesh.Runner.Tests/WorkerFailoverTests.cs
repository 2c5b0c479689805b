using System.Collections.Concurrent;
using System.Diagnostics;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// Runner workers as operators run them: separate processes competing on one queue. A worker killed in the
/// middle of a benchmark (SIGKILL: no graceful stop, no acknowledgement) leaves the benchmark to another worker.
/// </summary>
public sealed class WorkerFailoverTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    /// <summary>The workers' queue (MassTransit's kebab-case name of the RunBenchmark consumer's endpoint).</summary>
    private const string WorkQueue = "runner-run-benchmark";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A worker process's start on this noisy machine (two .NET processes, JIT and migrations, under a load of 40) has
    /// no useful upper bound: the waits below end on a sentinel (the worker consuming), and this is only their ceiling.
    /// </summary>
    private static readonly TimeSpan StartCeiling = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_benchmark_whose_worker_is_killed_midway_is_executed_by_another_worker()
    {
        var database = infrastructure.CreateDatabase("failover");
        var rabbitMq = await infrastructure.CreateVirtualHostAsync("failover");
        await using var agent = await CountingAgent.StartAsync(TimeSpan.FromMilliseconds(50));
        await using var bus = await BusObserver.StartAsync(rabbitMq);

        // Worker A alone takes the benchmark (six calls); the agent answers two and holds the third, so A stays in
        // the middle of the benchmark however long worker B takes to start.
        agent.Hold(answered: 2);
        using var workerA = await RunnerProcess.StartAsync(database, rabbitMq);
        await ConsumersAsync(rabbitMq, 1);
        var command = Command(agent.Endpoint, iterations: 6);
        await bus.PublishAsync(command);
        await Eventually.TrueAsync(() => Task.FromResult(agent.Requests >= 3), Wait, "worker A to be in the middle of the benchmark");

        // Worker B joins; then A dies without acknowledging the command.
        using var workerB = await RunnerProcess.StartAsync(database, rabbitMq);
        await ConsumersAsync(rabbitMq, 2);
        Assert.Equal(3, agent.Requests);
        Assert.Empty(bus.Executed);
        workerA.Kill();
        agent.Release();

        var executed = await Eventually.GetAsync(
            () => Task.FromResult(bus.Executed.FirstOrDefault(e => e.ExecutionId == command.ExecutionId)), Wait, "BenchmarkExecuted from worker B");
        Assert.EndsWith($":{workerB.ProcessId}", executed.WorkerId);
        Assert.Equal(6, executed.Samples.Count);
        Assert.All(executed.Samples, s => Assert.Null(s.ErrorKind));

        // A never finished (it is gone), and B executed the command once: a sentinel benchmark published after it comes
        // back from B, which takes one command at a time in queue order, so a second delivery would have come first.
        var sentinel = Command(agent.Endpoint, iterations: 1);
        await bus.PublishAsync(sentinel);
        await Eventually.TrueAsync(() => Task.FromResult(bus.Executed.Any(e => e.ExecutionId == sentinel.ExecutionId)), Wait, "the sentinel's BenchmarkExecuted");
        Assert.Single(bus.Executed, e => e.ExecutionId == command.ExecutionId);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> workers consume the work queue. A healthy /health only says that the bus
    /// started; the count is what the test needs before it publishes to A or kills A for B.
    /// </summary>
    private static Task ConsumersAsync(string rabbitMq, uint count) =>
        Eventually.TrueAsync(async () => await QueueDepth.ConsumersOfAsync(rabbitMq, WorkQueue) >= count, StartCeiling, $"{count} worker(s) consuming {WorkQueue}");

    private static RunBenchmark Command(string endpoint, int iterations) => new()
    {
        RunId = Guid.NewGuid(),
        ExecutionId = Guid.NewGuid(),
        SuiteId = Guid.NewGuid(),
        SuiteCategory = "reasoning",
        Agent = new AgentSnapshot
        {
            AgentId = Guid.NewGuid(),
            AgentName = "slow-agent",
            Version = "1.0",
            Protocol = AgentProtocols.HttpJson,
            Endpoint = endpoint,
            Pricing = Pricing.Free,
        },
        // A held call must outlast worker B's start-up (seconds on a loaded machine) without timing out in A.
        Benchmark = FakeSuiteCatalog.Benchmark("slow", ("q1", "What is 1 + 1?", "2")) with
        {
            Constraints = new BenchmarkConstraints { TimeoutSeconds = 600 },
        },
        Configuration = new RunConfiguration { WarmupRuns = 0, Iterations = iterations, Concurrency = 1 },
        RequestedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The Runner service as its own process (the build output next to this test), killable by PID.</summary>
    private sealed class RunnerProcess : IDisposable
    {
        private readonly Process _process;

        private RunnerProcess(Process process) => _process = process;

        public int ProcessId => _process.Id;

        public static async Task<RunnerProcess> StartAsync(string database, string rabbitMq)
        {
            var port = StubAgentServer.FreePort();
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BenchMesh.Runner.dll")])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            // Kestrel's own key rather than ASPNETCORE_URLS: the test folder holds one appsettings.json for two services
            // (Runner and SampleAgents), and SampleAgents' names a fixed Kestrel endpoint, which would win over the URLs.
            start.Environment["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{port}";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ConnectionStrings__runnerdb"] = database;
            start.Environment["ConnectionStrings__keysdb"] = database; // the key ring beside the runner's tables (RunnerHost)
            start.Environment["ConnectionStrings__rabbitmq"] = rabbitMq;
            start.Environment["Runner__Worker__ConcurrentBenchmarks"] = "1";
            start.Environment["Outbound__AllowLoopback"] = "true"; // the test's agent listens on loopback
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(start)!;
            var runner = new RunnerProcess(process);
            // The last lines it wrote, to explain a process that does not come up.
            var output = new ConcurrentQueue<string>();
            DataReceivedEventHandler keep = (_, e) =>
            {
                if (e.Data is not null)
                {
                    output.Enqueue(e.Data);
                    while (output.Count > 40 && output.TryDequeue(out string? _))
                    {
                    }
                }
            };
            process.OutputDataReceived += keep;
            process.ErrorDataReceived += keep;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                await Eventually.TrueAsync(async () =>
                {
                    if (process.HasExited)
                    {
                        Assert.Fail($"The runner process exited with {process.ExitCode}:\n{string.Join('\n', output)}");
                    }

                    using var response = await http.GetAsync($"http://127.0.0.1:{port}/health");
                    return response.IsSuccessStatusCode;
                }, StartCeiling, "the runner process to be healthy");
            }
            catch
            {
                runner.Dispose();
                throw;
            }

            return runner;
        }

        /// <summary>SIGKILL, and waits until the process is gone, so it can neither publish nor acknowledge anything after.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }
    }
}
