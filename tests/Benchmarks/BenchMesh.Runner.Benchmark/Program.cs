using System.Diagnostics;
using System.Globalization;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Outbound;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// The runner's hot path on one agent: BenchmarkExecutor and the http-json client, composed as services/Runner/Extensions.cs
// composes them (the outbound guard, allowing loopback here, on both the socket path and the "agents" HttpClient), and
// driven as RunBenchmarkConsumer drives them (an ExecutionPlan of items x iterations at a concurrency, one warm-up pass).
// What it leaves out is per benchmark, not per call: reading the command, storing the samples in one SaveChanges.
//
//   --url <agent>  --concurrency 1,8,32,64  --seconds 5 | --calls N  --path socket|httpclient|none|worker
// Prints one line per concurrency and a RESULT line for the script: calls/s over the measured passes, and the samples'
// median and p99 latency (what the runner reports). --path none calls no agent (the executor's own cost per call);
// httpclient forces the HttpClient path the socket path replaced (for the profile in docs/timing.md); worker measures
// a real Runner worker fed through RabbitMQ instead (WorkerPath.cs; with --pg-port, --redis-port, --rabbit-port and
// --rabbit-mgmt-port for its private servers).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = RunnerBenchmarkOptions.ParseOrExit(args, out var exitCode);
if (options is null)
{
    return exitCode;
}

if (options.Path == RunnerBenchmarkOptions.WorkerPath)
{
    return await WorkerPath.RunAsync(options);
}

var services = new ServiceCollection();
services.AddLogging();
services.AddSingleton(Options.Create(new OutboundOptions { AllowLoopback = true }));
services.AddSingleton<HostResolver>(OutboundGuard.SystemResolver);
services.AddSingleton<OutboundGuard>();
services.AddGuardedHttpClient(HttpAgentClient.HttpClientName, () => new SocketsHttpHandler
{
    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    MaxConnectionsPerServer = int.MaxValue,
}).ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
// "socket" is the Runner's own composition (its event loop where it can have one); "dotnet-sockets" the same transport
// over .NET's sockets, for comparison.
services.AddSingleton(sp => new AgentSocketTransport(sp.GetRequiredService<OutboundGuard>(), useEventLoop: options.Path != RunnerBenchmarkOptions.DotNetSocketsPath));
services.AddSingleton(sp => new HttpJsonAgentClient(
    sp.GetRequiredService<IHttpClientFactory>(), options.Path == "httpclient" ? null : sp.GetRequiredService<AgentSocketTransport>()));
services.AddSingleton<TokenCounter>();
services.AddSingleton<BenchmarkExecutor>();
await using var provider = services.BuildServiceProvider();
var client = provider.GetRequiredService<HttpJsonAgentClient>();
if (options.Path != "httpclient" && options.Path != "none")
{
    Console.WriteLine($"socket path: {(provider.GetRequiredService<AgentSocketTransport>().UsesEventLoop ? "the transport's event loop" : ".NET's sockets")}");
}

var executor = provider.GetRequiredService<BenchmarkExecutor>();

var items = Enumerable.Range(0, 100).Select(i => new DatasetItem { Id = $"item-{i}", Input = "What is 2 + 3?", Expected = "5" }).ToList();
var instant = new AgentCallResult { Output = "5", DurationMs = 0, InputTokens = 7, OutputTokens = 1 };
// Each item's call prepared once for all its passes, as RunBenchmarkConsumer prepares them.
var endpoint = options.Url.ToString();
var prepared = new Dictionary<DatasetItem, AgentCall>(ReferenceEqualityComparer.Instance);
foreach (var item in items)
{
    prepared[item] = client.Prepare(new AgentCall(endpoint, item.Input, "{}", null, null, TimeSpan.FromSeconds(30)));
}

Func<DatasetItem, CancellationToken, Task<AgentCallResult>> call = options.Path == "none"
    ? (_, _) => Task.FromResult(instant)
    : (item, token) => client.CallAsync(prepared[item], token);

foreach (var concurrency in options.Concurrency)
{
    // --calls fixes the number of measured calls; otherwise a short probe sets the iterations that fill --seconds.
    var iterations = options.Calls is { } calls
        ? Math.Max(1, calls / items.Count)
        : Math.Max(1, (int)Math.Round((await RunAsync(concurrency, 1)).CallsPerSecond * options.Seconds / items.Count));
    var run = await RunAsync(concurrency, iterations);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"runner ({options.Path}) c={concurrency}: {run.CallsPerSecond:N0} calls/s over {run.Calls:N0} calls, median {run.MedianMs:0.000} ms, p99 {run.P99Ms:0.000} ms, {run.Failures} failed"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RESULT\t{options.Path}\t{concurrency}\t{run.CallsPerSecond:0.0}\t{run.MedianMs:0.0000}\t{run.P99Ms:0.0000}\t{run.Failures}"));

    async Task<Run> RunAsync(int c, int iterationCount)
    {
        var plan = new ExecutionPlan(items, WarmupRuns: 1, iterationCount, c, MaxConsecutiveFailures: 1_000_000, new Pricing(0, 0, 0));
        var clock = Stopwatch.StartNew();
        var outcome = await executor.ExecuteAsync(plan, call, CancellationToken.None);
        // The warm-up pass is timed apart by the executor: the rate is over the measured passes only.
        var seconds = clock.Elapsed.TotalSeconds - outcome.Warmup.DurationMs / 1000;
        var latencies = outcome.Samples.Where(s => s.ErrorKind is null).Select(s => s.DurationMs).Order().ToArray();
        return new Run(
            outcome.Samples.Count,
            outcome.Samples.Count / seconds,
            latencies.Length == 0 ? double.NaN : latencies[latencies.Length / 2],
            latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))],
            outcome.Samples.Count(s => s.ErrorKind is not null));
    }
}

return 0;

internal sealed record Run(int Calls, double CallsPerSecond, double MedianMs, double P99Ms, int Failures);
