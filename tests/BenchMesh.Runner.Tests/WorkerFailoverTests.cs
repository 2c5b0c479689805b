using System.Diagnostics;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// Runner workers as operators run them: separate processes competing on one queue. A worker killed in the
/// middle of a benchmark (SIGKILL: no graceful stop, no acknowledgement) leaves the benchmark to another worker.
/// </summary>
public sealed class WorkerFailoverTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_benchmark_whose_worker_is_killed_midway_is_executed_by_another_worker()
    {
        var database = infrastructure.CreateDatabase("failover");
        var rabbitMq = await infrastructure.CreateVirtualHostAsync("failover");
        await using var agent = await CountingAgent.StartAsync(TimeSpan.FromMilliseconds(400));
        await using var bus = await BusObserver.StartAsync(rabbitMq);

        // Worker A alone takes the benchmark: six calls of 400 ms each.
        using var workerA = await RunnerProcess.StartAsync(database, rabbitMq);
        var command = Command($"{agent.BaseUrl}/agent", iterations: 6);
        await bus.PublishAsync(command);
        await Eventually.TrueAsync(() => Task.FromResult(agent.Requests >= 2), Wait, "worker A to be calling the agent");

        // Worker B joins; then A dies without acknowledging the command.
        using var workerB = await RunnerProcess.StartAsync(database, rabbitMq);
        Assert.Empty(bus.Executed);
        workerA.Kill();

        var executed = await Eventually.GetAsync(
            () => Task.FromResult(bus.Executed.FirstOrDefault(e => e.ExecutionId == command.ExecutionId)), Wait, "BenchmarkExecuted from worker B");
        Assert.EndsWith($":{workerB.ProcessId}", executed.WorkerId);
        Assert.Equal(6, executed.Samples.Count);
        Assert.All(executed.Samples, s => Assert.Null(s.ErrorKind));

        // A never finished: the only BenchmarkExecuted of this execution is B's.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(bus.Executed, e => e.ExecutionId == command.ExecutionId);
    }

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
        Benchmark = FakeSuiteCatalog.Benchmark("slow", ("q1", "What is 1 + 1?", "2")),
        Configuration = new RunConfiguration { WarmupRuns = 0, Iterations = iterations, Concurrency = 1 },
        RequestedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>An http-json agent that answers after a delay and counts the calls it received.</summary>
    private sealed class CountingAgent : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private CountingAgent(WebApplication app) => _app = app;

        public int Requests => Volatile.Read(ref _requests);

        public string BaseUrl { get; private set; } = "";

        public static async Task<CountingAgent> StartAsync(TimeSpan latency)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var agent = new CountingAgent(app);
            app.MapPost("/agent", async (CancellationToken ct) =>
            {
                Interlocked.Increment(ref agent._requests);
                await Task.Delay(latency, ct);
                return Results.Json(new { output = "2", usage = new { input_tokens = 5, output_tokens = 1 } });
            });
            await app.StartAsync();
            agent.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            return agent;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>The Runner service as its own process (the build output next to this test), killable by PID.</summary>
    private sealed class RunnerProcess : IDisposable
    {
        private readonly Process _process;

        private RunnerProcess(Process process) => _process = process;

        public int ProcessId => _process.Id;

        public static async Task<RunnerProcess> StartAsync(string database, string rabbitMq)
        {
            var port = FreePort();
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BenchMesh.Runner.dll")])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ConnectionStrings__runnerdb"] = database;
            start.Environment["ConnectionStrings__rabbitmq"] = rabbitMq;
            start.Environment["Runner__Worker__ConcurrentBenchmarks"] = "1";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(start)!;
            var runner = new RunnerProcess(process);
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                await Eventually.TrueAsync(async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"The runner process exited with {process.ExitCode}.");
                    }

                    using var response = await http.GetAsync($"http://127.0.0.1:{port}/health");
                    return response.IsSuccessStatusCode;
                }, Wait, "the runner process to be healthy");
            }
            catch
            {
                runner.Dispose();
                throw;
            }

            return runner;
        }

        public void Kill() => _process.Kill(entireProcessTree: true);

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }

        private static int FreePort()
        {
            var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }
    }
}
