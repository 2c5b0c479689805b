using System.Globalization;
using BenchMesh.LoadEngine;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;

// p99 at a fixed request rate (issue 14: "p99 ≤ 5 ms at 1,000 req/s through the gateway"). wrk holds a number of
// connections, not a rate, and wrk2 is not packaged; the load engine's open model (constant-arrival-rate) sends each
// request at its scheduled time whatever the answers do, and measures latency from that time, so a stall shows in p99
// instead of being hidden by a waiting client (coordinated omission).
//   dotnet BenchMesh.Gateway.Benchmark.dll --url URL [--bearer KEY] [--rate 1000] [--duration 20s] [--connections 50]
// Prints one line: "fixed-rate <target> achieved <rps> p50 <ms> p90 <ms> p99 <ms> max <ms> errors <n> dropped <n>".
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var values = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    values[args[i]] = args[i + 1];
}

if (!values.TryGetValue("--url", out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
{
    Console.Error.WriteLine("usage: --url URL [--bearer KEY] [--rate 1000] [--duration 20s] [--connections 50]");
    return 2;
}

var rate = values.TryGetValue("--rate", out var r) ? double.Parse(r, CultureInfo.InvariantCulture) : 1000;
var duration = values.TryGetValue("--duration", out var d) ? DurationText.Parse(d) : TimeSpan.FromSeconds(20);
var connections = values.TryGetValue("--connections", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : 50;
var request = new RequestSpec { BearerToken = values.GetValueOrDefault("--bearer") };

// Warm-up at the same rate (JIT, connections on both sides), not reported.
await LoadGenerator.RunAsync(new LoadOptions { Url = uri, Request = request, Rate = rate, Duration = TimeSpan.FromSeconds(3), Connections = connections });
var result = await LoadGenerator.RunAsync(new LoadOptions { Url = uri, Request = request, Rate = rate, Duration = duration, Connections = connections });
Console.WriteLine($"fixed-rate {rate:0} achieved {result.AchievedRps:0.0} p50 {result.LatencyMs.P50:0.000} p90 {result.LatencyMs.P90:0.000} "
    + $"p99 {result.LatencyMs.P99:0.000} max {result.LatencyMs.Max:0.000} errors {result.ErrorCount} dropped {result.Dropped}");
return result.ErrorCount > 0 ? 1 : 0;
