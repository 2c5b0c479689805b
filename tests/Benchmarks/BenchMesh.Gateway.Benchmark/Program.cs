using System.CommandLine;
using System.Globalization;
using BenchMesh.Benchmarks.Common;
using BenchMesh.LoadEngine;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;

// p99 at a fixed request rate (issue 14: "p99 ≤ 5 ms at 1,000 req/s through the gateway"). wrk holds a number of
// connections, not a rate, and wrk2 is not packaged; the load engine's open model (constant-arrival-rate) sends each
// request at its scheduled time whatever the answers do, and measures latency from that time, so a stall shows in p99
// instead of being hidden by a waiting client (coordinated omission).
//   dotnet BenchMesh.Gateway.Benchmark.dll --url URL [--bearer KEY] [--rate 1000] [--duration 20s] [--connections 50]
// Prints one line: "fixed-rate <target> achieved <rps> p50 <ms> p90 <ms> p99 <ms> max <ms> errors <n> dropped <n>
// service-p50 <ms> service-p99 <ms> lag-p50 <ms> lag-p99 <ms> generator-cpu-us <µs>". The percentiles before "errors"
// are from each request's intended start; service-* from the request written to the answer read; lag-* how late this
// client itself sent (its schedule thread sleeps in whole milliseconds and shares the cores), which is part of the
// figure but not of the target's doing; generator-cpu-us this client's CPU per request.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var commandLine = new BenchmarkCommandLine("p99 at a fixed request rate (the load engine's open model) against one URL.");
var urlOption = commandLine.Url("url", null, "The URL to load");
var bearerOption = commandLine.Add(new Option<string?>("--bearer") { Description = "An API key, sent as Authorization: Bearer", HelpName = "KEY" });
var rateOption = commandLine.Add(new Option<double>("--rate") { Description = "Requests per second", HelpName = "N", DefaultValueFactory = _ => 1000 });
var durationOption = commandLine.Text("duration", "20s", "How long the measured run lasts", "DURATION");
var connectionsOption = commandLine.Number("connections", 50, 1, "TCP connections at most");
var parsed = commandLine.ParseOrExit(args, result => (result, (string?)null), out var exitCode);
if (parsed is null)
{
    return exitCode;
}

var uri = parsed.GetValue(urlOption)!;
var rate = parsed.GetValue(rateOption);
var duration = DurationText.Parse(parsed.GetValue(durationOption)!);
var connections = parsed.GetValue(connectionsOption);
var request = new RequestSpec { BearerToken = parsed.GetValue(bearerOption) };

// Warm-up at the same rate (JIT, connections on both sides), not reported.
await LoadGenerator.RunAsync(new LoadOptions { Url = uri, Request = request, Rate = rate, Duration = TimeSpan.FromSeconds(3), Connections = connections });
var result = await LoadGenerator.RunAsync(new LoadOptions { Url = uri, Request = request, Rate = rate, Duration = duration, Connections = connections });
Console.WriteLine($"fixed-rate {rate:0} achieved {result.AchievedRps:0.0} p50 {result.LatencyMs.P50:0.000} p90 {result.LatencyMs.P90:0.000} "
    + $"p99 {result.LatencyMs.P99:0.000} max {result.LatencyMs.Max:0.000} errors {result.ErrorCount} dropped {result.Dropped} "
    + $"service-p50 {result.ServiceTimeMs.P50:0.000} service-p99 {result.ServiceTimeMs.P99:0.000} lag-p50 {result.ScheduleLagMs.P50:0.000} lag-p99 {result.ScheduleLagMs.P99:0.000} "
    + $"generator-cpu-us {result.Generator.CpuMicrosPerRequest:0}");
return result.ErrorCount > 0 ? 1 : 0;
