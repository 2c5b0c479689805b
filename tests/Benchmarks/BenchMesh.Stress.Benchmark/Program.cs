using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchMesh.Benchmarks.Common;
using BenchMesh.LoadEngine;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Transport;

// The stress engine's speed and honesty against wrk on one loopback nginx (issue 4). Not a test: it prints figures.
//   tests/Benchmarks/stress-benchmark.sh [options]   (installs nginx and wrk if missing, starts nginx, runs this, stops nginx)
//   dotnet run -c Release --project tests/Benchmarks/BenchMesh.Stress.Benchmark -- --url URL --nginx-worker-pid PID
//     [--connections 50] [--duration 10s] [--rounds 3] [--only closed|open|omission]   (open also runs closed, for its median)
//     [--transport auto|socket|httpclient|epoll]   (the engine's transport; auto, the default, is epoll on Linux for http://)
//     [--cli PATH/benchmesh.dll]   (adds 4., and is what --only cli runs)
// 1. closed model: rounds of wrk -t1, wrk -t2 and the engine's constant-concurrency at the same connections, taken in
//    turn so that a noisy neighbour hurts both alike; best of each (goal: engine ≥ 0.80 × wrk);
// 2. open model: constant-arrival-rate at 20, 40, 60, 80 % of the closed rounds' median (the lower of wrk's and the
//    engine's; goal: achieved within 1 %);
// 3. coordinated omission: 1,000 req/s while the nginx worker is frozen 500 ms (SIGSTOP/SIGCONT) mid-run: the open
//    model's p99 must show the stall (hundreds of ms); a closed loop over the same stall is printed beside it.
// 4. the CLI with its defaults (issue 14): rounds of wrk -t1, wrk -t2 and `benchmesh stress --executor
//    constant-concurrency` as a user runs it, in its own process with no runtime setting in its environment; each
//    round's ratio against that round's best wrk (goal: ≥ 0.90 in every round).
// Each goal is also printed as one tab-separated GOAL line, which tests/Benchmarks/benchmarks.sh collects.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var arguments = Arguments.ParseOrExit(args, out var exitCode);
if (arguments is null)
{
    return exitCode;
}

var (url, workerPid, connections, duration, rounds, only, transport, cli) = arguments;
var conditions = $"nginx on loopback, {connections} connections, {duration.TotalSeconds:0} s runs, {Environment.ProcessorCount} cores";
Console.WriteLine($"Stress engine benchmark: {url}, {connections} connections, {duration.TotalSeconds:0} s runs, {Environment.ProcessorCount} cores");
Console.WriteLine($"Machine before: load average {LoadAverage()}; busy {await BusyCoresAsync(TimeSpan.FromSeconds(1)):0.00} of {Environment.ProcessorCount} cores over 1 s (/proc/stat)");
Console.WriteLine($"Engine: transport {Transports.NameOf(transport)} ({Transports.NameOf(Transports.Resolve(transport, url))} for this URL), workstation non-concurrent GC, "
    + $"DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS={Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "(unset)"}, "
    + $"DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT={Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT") ?? "(unset)"}");
Console.WriteLine();

// Warm-up: JIT and connections.
await LoadGenerator.RunAsync(new LoadOptions { Url = url, Executor = ExecutorKind.ConstantConcurrency, Connections = connections, Duration = TimeSpan.FromSeconds(2), Transport = transport });

if (only is not "cli")
{
    var sustained = await ClosedAsync();
    if (only is null or "open")
    {
        await OpenAsync(sustained);
    }

    if (only is null or "omission")
    {
        await OmissionAsync();
    }
}

if (only is null or "cli")
{
    if (cli is null)
    {
        Console.WriteLine("4. The CLI with its defaults: skipped (no --cli PATH/benchmesh.dll given)");
    }
    else
    {
        await CliDefaultsAsync(cli);
    }
}

Console.WriteLine($"Machine after: load average {LoadAverage()}");
return 0;

// Returns the rate the open model's targets derive from: the median of the closed runs, the lower of wrk's and the
// engine's. Not the best round: on a shared machine one round can be an outlier (79,608 req/s against 61,000-67,000 in
// the others), and 80 % of it asked more than nginx gave in the open step minutes later, which then reported the
// shortfall (8.66 % off) as the engine's. The lower of the two medians keeps every target within what nginx serves and
// what the engine's generator sends in a typical round.
async Task<double> ClosedAsync()
{
    Console.WriteLine($"1. Closed model, keep-alive, {connections} connections, {rounds} rounds taken in turn");
    double wrkBest = 0, engineBest = 0;
    List<double> wrkRuns = [], engineRuns = [];
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var threads in new[] { 1, 2 })
        {
            var wrk = await Wrk.RunAsync(url, threads, connections, duration);
            Console.WriteLine($"   round {round}  wrk -t{threads} -c{connections}            {wrk.Rps,9:N0} req/s   p50 {wrk.P50}, p99 {wrk.P99} (wrk's corrected)   load {LoadAverage(1)}");
            wrkBest = Math.Max(wrkBest, wrk.Rps);
            wrkRuns.Add(wrk.Rps);
        }

        var engine = await LoadGenerator.RunAsync(new LoadOptions { Url = url, Executor = ExecutorKind.ConstantConcurrency, Connections = connections, Duration = duration, Transport = transport });
        Console.WriteLine($"   round {round}  engine constant-concurrency {engine.AchievedRps,9:N0} req/s   p50 {engine.LatencyMs.P50:0.###} ms, p99 {engine.LatencyMs.P99:0.###} ms   generator {engine.Generator.CpuCores:0.00} cores, {engine.Generator.CpuMicrosPerRequest:0.0} µs CPU/req, errors {engine.ErrorCount}, {engine.Generator.Transport}   load {LoadAverage(1)}");
        engineBest = Math.Max(engineBest, engine.AchievedRps);
        engineRuns.Add(engine.AchievedRps);
    }

    var ratio = engineBest / wrkBest;
    Console.WriteLine($"   best: wrk {wrkBest:N0} req/s, engine {engineBest:N0} req/s; ratio engine : wrk = {ratio:0.00}  (goal ≥ 0.80: {(ratio >= 0.80 ? "met" : "NOT met")})");
    Goal("closed model, engine in-process with the script's socket settings, best of rounds : best wrk",
        $"{ratio:0.00}x ({engineBest:N0} / {wrkBest:N0} req/s)", ">= 0.80x", ratio >= 0.80, $"{conditions}, {rounds} rounds");
    var sustained = Math.Min(Median(wrkRuns), Median(engineRuns));
    Console.WriteLine($"   median: wrk {Median(wrkRuns):N0} req/s, engine {Median(engineRuns):N0} req/s; the open model's targets derive from the lower, {sustained:N0} req/s");
    Console.WriteLine();
    return sustained;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

async Task OpenAsync(double closedMedian)
{
    Console.WriteLine($"2. Open model, constant-arrival-rate, targets up to 80 % of the closed rounds' median ({closedMedian:N0} req/s)");
    var met = true;
    var worst = 0.0;
    foreach (var share in new[] { 0.2, 0.4, 0.6, 0.8 })
    {
        var target = Math.Round(closedMedian * share / 100) * 100;
        var open = await LoadGenerator.RunAsync(new LoadOptions { Url = url, Rate = target, Duration = duration, Connections = connections, Transport = transport });
        var off = open.AchievedRps / target - 1;
        met &= Math.Abs(off) <= 0.01;
        worst = Math.Max(worst, Math.Abs(off));
        Console.WriteLine($"   {share,4:P0}: target {target,8:N0}  achieved {open.AchievedRps,10:N1} ({off,7:+0.00%;-0.00%})  dropped {open.Dropped}  late {open.Late}  errors {open.ErrorCount}  latency p50 {open.LatencyMs.P50:0.##} p99 {open.LatencyMs.P99:0.##} ms (service p99 {open.ServiceTimeMs.P99:0.##}, schedule lag p99 {open.ScheduleLagMs.P99:0.##})  generator {open.Generator.CpuCores:0.00} cores  load {LoadAverage(1)}");
    }

    Console.WriteLine($"   goal: within 1 % at every target: {(met ? "met" : "NOT met")}");
    Goal("open model, achieved rate at 20-80 % of the closed rounds' median", $"{worst:0.00%} off at worst", "within 1 %", met,
        $"{conditions}; targets up to {Math.Round(closedMedian * 0.8 / 100) * 100:N0} req/s");
    Console.WriteLine();
}

async Task OmissionAsync()
{
    Console.WriteLine("3. Coordinated omission: the nginx worker frozen for 500 ms in the middle of the run (SIGSTOP, SIGCONT)");
    var open = await WithStallAsync(() => LoadGenerator.RunAsync(new LoadOptions { Url = url, Rate = 1000, Duration = duration, Connections = connections, Transport = transport }));
    Console.WriteLine($"   open model, 1,000 req/s:  requests {open.Requests:N0}  p50 {open.LatencyMs.P50:0.##}  p90 {open.LatencyMs.P90:0.##}  p99 {open.LatencyMs.P99:0.##}  p99.9 {open.LatencyMs.P999:0.##}  max {open.LatencyMs.Max:0.##} ms; service time p99 {open.ServiceTimeMs.P99:0.##} ms; dropped {open.Dropped}");
    var closed = await WithStallAsync(() => LoadGenerator.RunAsync(new LoadOptions { Url = url, Executor = ExecutorKind.ConstantConcurrency, Concurrency = 10, Duration = duration, Connections = 10, Transport = transport }));
    Console.WriteLine($"   closed loop, 10 users:    requests {closed.Requests:N0}  p50 {closed.LatencyMs.P50:0.##}  p90 {closed.LatencyMs.P90:0.##}  p99 {closed.LatencyMs.P99:0.##}  p99.9 {closed.LatencyMs.P999:0.##}  max {closed.LatencyMs.Max:0.##} ms");
    Console.WriteLine($"   goal: the open model's p99 shows the stall (hundreds of ms): {(open.LatencyMs.P99 >= 100 ? "met" : "NOT met")} ({open.LatencyMs.P99:0} ms)");
    Goal("coordinated omission: open-model p99 over a 500 ms stall", $"{open.LatencyMs.P99:0} ms", ">= 100 ms", open.LatencyMs.P99 >= 100,
        $"1,000 req/s, nginx worker SIGSTOPped 500 ms; a closed loop shows p99 {closed.LatencyMs.P99:0.##} ms");
    Console.WriteLine();
}

async Task CliDefaultsAsync(string cliPath)
{
    Console.WriteLine($"4. The CLI with its defaults: `benchmesh stress --executor constant-concurrency` in its own process, no runtime setting in its environment; {rounds} rounds, each against that round's best wrk");
    var ratios = new List<double>();
    (double Cli, double Wrk) lowest = (0, 0);
    var startLoad = LoadAverage(1);
    var wrkByThreads = new Dictionary<int, List<double>> { [1] = [], [2] = [] };
    var cliRuns = new List<double>();
    for (var round = 1; round <= rounds; round++)
    {
        var wrkBest = 0.0;
        foreach (var threads in new[] { 1, 2 })
        {
            var wrk = await Wrk.RunAsync(url, threads, connections, duration);
            Console.WriteLine($"   round {round}  wrk -t{threads} -c{connections}            {wrk.Rps,9:N0} req/s   p50 {wrk.P50}, p99 {wrk.P99}   load {LoadAverage(1)}");
            wrkBest = Math.Max(wrkBest, wrk.Rps);
            wrkByThreads[threads].Add(wrk.Rps);
        }

        var run = await Cli.StressAsync(cliPath, url, connections, duration);
        cliRuns.Add(run.Rps);
        var ratio = run.Rps / wrkBest;
        ratios.Add(ratio);
        if (ratio <= ratios.Min())
        {
            lowest = (run.Rps, wrkBest);
        }

        Console.WriteLine($"   round {round}  benchmesh stress (defaults) {run.Rps,9:N0} req/s   p50 {run.P50Ms:0.###} ms, p99 {run.P99Ms:0.###} ms   {run.CpuMicrosPerRequest:0.0} µs CPU/req, errors {run.Errors}   ratio {ratio:0.00}   load {LoadAverage(1)}");
        // A slow start (a cold JIT inside the measured window) shows as a first second below the rest.
        Console.WriteLine($"            per second: {string.Join(' ', run.PerSecond.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))}");
    }

    var met = ratios.Count(r => r >= 0.90);
    Console.WriteLine($"   ratios {string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}: {met} of {ratios.Count} rounds ≥ 0.90 (goal: every round)");
    // A proposal, printed beside the goal's figure and not replacing it: each CLI run against one wrk configuration, the
    // one with the higher median over the rounds, rather than against the better of two wrk runs. On a noisy machine the
    // better of two runs is biased upwards against the CLI's single run: with 10 % run-to-run spread a generator exactly
    // as fast as wrk meets "0.90x in 3 of 3" about 28 % of the time against the better of two, 46 % against one
    // configuration (simulated, docs/stress.md "Speed").
    var reference = Median(wrkByThreads[1]) >= Median(wrkByThreads[2]) ? 1 : 2;
    var proposed = cliRuns.Select((rps, i) => rps / wrkByThreads[reference][i]).ToList();
    Console.WriteLine($"   proposed (not the goal's figure): against wrk -t{reference} (the higher median) of the same round: "
        + $"{string.Join(", ", proposed.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}: {proposed.Count(r => r >= 0.90)} of {proposed.Count} rounds ≥ 0.90");
    // The count of rounds that met the goal leads the figure: "2 of 3" is what the goal is judged on, the ratios follow.
    Goal("closed model, `benchmesh stress` with its defaults : best wrk of the same round",
        $"{met} of {ratios.Count} rounds >= 0.90x: {string.Join(" ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture) + "x"))} (lowest {lowest.Cli:N0} / {lowest.Wrk:N0} req/s)",
        $">= 0.90x, {ratios.Count} of {ratios.Count} rounds", met == ratios.Count,
        $"{conditions}, no env vars; load {startLoad} -> {LoadAverage(1)}");
    Console.WriteLine();
}

// One goal as the line tests/Benchmarks/benchmarks.sh collects (tab-separated, tabs in the fields replaced).
static void Goal(string what, string figure, string goal, bool met, string note) =>
    Console.WriteLine(string.Join('\t', new[] { "GOAL", "stress", what, figure, goal, met ? "MET" : "SHORT", note }.Select(f => f.Replace('\t', ' '))));

async Task<LoadResult> WithStallAsync(Func<Task<LoadResult>> run)
{
    var load = run();
    await Task.Delay(duration / 2);
    Signal("STOP", workerPid);
    await Task.Delay(500);
    Signal("CONT", workerPid);
    return await load;
}

static void Signal(string signal, int pid)
{
    using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { UseShellExecute = false })!;
    kill.WaitForExit();
    if (kill.ExitCode != 0)
    {
        throw new InvalidOperationException($"kill -{signal} {pid} failed");
    }
}

static string LoadAverage(int fields = 3) => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(fields));

// Whole-machine busy cores from /proc/stat (generator, nginx and every other tenant).
static async Task<double> BusyCoresAsync(TimeSpan over)
{
    static (long Busy, long Total) Read()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var total = fields.Take(8).Sum();
        return (total - fields[3] - fields[4], total);
    }

    var start = Read();
    await Task.Delay(over);
    var end = Read();
    return end.Total == start.Total ? 0 : (double)(end.Busy - start.Busy) / (end.Total - start.Total) * Environment.ProcessorCount;
}

/// <summary>The command line (<c>--help</c> lists it).</summary>
internal sealed record Arguments(Uri Url, int WorkerPid, int Connections, TimeSpan Duration, int Rounds, string? Only, TransportKind Transport, string? Cli)
{
    public static Arguments? ParseOrExit(string[] args, out int exitCode)
    {
        var commandLine = new BenchmarkCommandLine("The stress engine's speed and honesty against wrk on one loopback nginx (issue 4).");
        var url = commandLine.Url("url", null, "nginx's URL");
        var workerPid = commandLine.Add(new Option<int>("--nginx-worker-pid") { Description = "nginx's worker (frozen for the coordinated-omission step)", HelpName = "PID", Required = true });
        var connections = commandLine.Number("connections", 50, 1, "TCP connections");
        var duration = commandLine.Text("duration", "10s", "Each run's length", "DURATION");
        var rounds = commandLine.Number("rounds", 3, 1, "Rounds of wrk and the engine, taken in turn");
        var only = commandLine.Add(new Option<string?>("--only") { Description = "One part only (open also runs closed, for its median)", HelpName = "closed|open|omission|cli" });
        only.AcceptOnlyFromAmong("closed", "open", "omission", "cli");
        var transport = commandLine.Text("transport", Transports.NameOf(TransportKind.Auto), "The engine's transport (auto: epoll on Linux, else socket, for http://)", string.Join('|', Transports.Names));
        transport.AcceptOnlyFromAmong([.. Transports.Names]);
        var cli = commandLine.Add(new Option<string?>("--cli") { Description = "The CLI to measure with its defaults (adds part 4; what --only cli runs)", HelpName = "PATH/benchmesh.dll" });
        return commandLine.ParseOrExit<Arguments>(args, parsed =>
        {
            Transports.TryParse(parsed.GetValue(transport)!, out var kind);
            return (new Arguments(parsed.GetValue(url)!, parsed.GetValue(workerPid), parsed.GetValue(connections), DurationText.Parse(parsed.GetValue(duration)!),
                parsed.GetValue(rounds), parsed.GetValue(only), kind, parsed.GetValue(cli)), null);
        }, out exitCode);
    }
}

/// <summary>wrk, run and read.</summary>
internal static partial class Wrk
{
    public static async Task<(double Rps, string P50, string P99)> RunAsync(Uri url, int threads, int connections, TimeSpan duration)
    {
        var start = new ProcessStartInfo("wrk", $"-t{threads} -c{connections} -d{(int)duration.TotalSeconds}s --latency {url}")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rps = RequestsPerSecond().Match(output);
        if (process.ExitCode != 0 || !rps.Success)
        {
            throw new InvalidOperationException($"wrk failed:\n{output}");
        }

        return (double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), Percentile(output, "50%"), Percentile(output, "99%"));
    }

    private static string Percentile(string output, string name) =>
        Regex.Match(output, $@"^\s*{Regex.Escape(name)}\s+(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}

/// <summary><c>benchmesh stress</c> run as a user runs it: its own process, its own defaults, report read from --json.</summary>
internal static class Cli
{
    public static async Task<(double Rps, double P50Ms, double P99Ms, double CpuMicrosPerRequest, long Errors, IReadOnlyList<long> PerSecond)> StressAsync(
        string cliPath, Uri url, int connections, TimeSpan duration)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { cliPath, "stress", "--url", url.ToString(), "--executor", "constant-concurrency", "--json" })
        {
            start.ArgumentList.Add(argument);
        }

        // Only what the measurement needs beyond the defaults (50 connections, 10 s are the CLI's own).
        if (connections != 50)
        {
            start.ArgumentList.Add("--connections");
            start.ArgumentList.Add(connections.ToString(CultureInfo.InvariantCulture));
        }

        if (duration != TimeSpan.FromSeconds(10))
        {
            start.ArgumentList.Add("--duration");
            start.ArgumentList.Add($"{(int)duration.TotalMilliseconds}ms");
        }

        // The script exports socket settings for the in-process engine: a user's shell has none of them (nor GC or JIT ones).
        foreach (var name in start.Environment.Keys.Where(IsRuntimeSetting).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"benchmesh stress failed ({process.ExitCode}): {await errors}");
        }

        using var report = System.Text.Json.JsonDocument.Parse(await output);
        var root = report.RootElement;
        return (root.GetProperty("achieved_rps").GetDouble(), root.GetProperty("latency_ms").GetProperty("p50").GetDouble(),
            root.GetProperty("latency_ms").GetProperty("p99").GetDouble(), root.GetProperty("generator").GetProperty("cpu_micros_per_request").GetDouble(),
            root.GetProperty("error_count").GetInt64(), [.. root.GetProperty("timeline").EnumerateArray().Select(point => point.GetProperty("requests").GetInt64())]);
    }

    private static bool IsRuntimeSetting(string name) =>
        new[] { "DOTNET_SYSTEM_NET_SOCKETS_", "DOTNET_gc", "DOTNET_GC", "DOTNET_Tiered", "DOTNET_TC_", "DOTNET_ReadyToRun", "COMPlus_" }
            .Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
}
