// The scale benchmark (issue 14, part 4): fills private Scoring, Leaderboard and Regression databases with a realistic
// history (World, SyntheticExecution, Filler), then measures through the services' own HTTP routes, started from their
// Release build output: the leaderboard (§3.1 default and a filtered board), a page of an agent's results (first and a
// deep keyset page), a regression check, and Scoring's pipeline while the tables hold the filled rows. Prints the
// figures and one GOAL line per goal (the form COMMON to tests/Benchmarks/*.sh). Run it through ../scale-benchmark.sh,
// which starts the private PostgreSQL and RabbitMQ it needs.
//
//   --postgres <connection string>  the private server (no database name)         (required)
//   --rabbitmq <amqp uri>           the private broker                              (required)
//   --repository <path>             the repository whose services/*/bin/Release run (default: the current folder)
//   --logs <folder>                 where the services' logs go                     (default: the temporary folder)
//   --executions <n>                executions to fill                              (default: 10,000,000)
//   --agents <n>                    agents of the world (fewer: longer histories)   (default: 1,000)
//   --sample-executions <n>         newest executions whose raw samples are filled  (default: 20,000)
//   --calls <n>                     timed calls per route (after 3 warm-up calls)   (default: 20)
//   --pipeline-executions <n>       BenchmarkExecuted messages timed                (default: 200; 100 samples each)
//   --no-fill                       measure the databases as they are (a previous fill)
using System.Diagnostics;
using System.Globalization;
using BenchMesh.Scale.Benchmark;
using Npgsql;

var options = Options.ParseOrExit(args, out var exitCode);
if (options is null)
{
    return exitCode;
}

var ct = CancellationToken.None;
var databases = Databases.On(options.Postgres);
var world = new World(DateTimeOffset.UtcNow, (int)options.Agents);
Console.WriteLine($"scale benchmark: {options.Executions:N0} executions, {world.Agents:N0} agents, {World.Suites} suites, {World.Months} months; load average {LoadAverage()}");

var ports = Enumerable.Range(0, 4).Select(_ => FreePort()).ToArray();
var suitesGrpc = FreePort();
var settings = new Dictionary<string, string>
{
    ["ConnectionStrings__postgres"] = options.Postgres,
    ["ConnectionStrings__rabbitmq"] = options.RabbitMq,
    // Read in isolation: the leaderboard's views are refreshed at start (waited for below) and then only on new
    // scores, not every minute (the periodic refresh re-reads the 30-day window: its time is reported apart).
    ["Leaderboard__Views__Period"] = "01:00:00",
    // Regression's consumer reads each suite's regression thresholds from Suites before it judges (and fails the message
    // when it cannot): Suites runs, on an empty database, so every suite answers "not found" (the registry's thresholds).
    ["services__suites__grpc__0"] = $"http://127.0.0.1:{suitesGrpc}",
};
// Regression logs where each judgement's time goes at Debug (printed as medians after the pipeline).
var regressionSettings = new Dictionary<string, string>(settings) { [$"Logging__LogLevel__{JudgementLog.Category}"] = "Debug" };
// Suites' appsettings pin its two Kestrel endpoints (HTTP and gRPC): moved to free ports.
var suitesSettings = new Dictionary<string, string>(settings)
{
    ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{ports[0]}",
    ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{suitesGrpc}",
};

if (options.Fill)
{
    // The services create their databases and apply their migrations at start; then the tables are filled without them.
    await using (await StartAllAsync())
    {
    }

    var fill = Stopwatch.StartNew();
    await new Filler(world, databases, Console.Out).FillAsync(options.Executions, options.SampleExecutions, ct);
    Console.WriteLine($"fill: {options.Executions:N0} executions in {fill.Elapsed.TotalMinutes:0.0} min; load average {LoadAverage()}");
}

Console.WriteLine($"database size: {await SizesAsync()}");
await using (var services = await StartAllAsync())
{
    await WaitForViewRefreshAsync();
    var http = RouteTimer.Client();
    var timer = new RouteTimer(http);
    var leaderboard = services.Get("Leaderboard").Address;
    var scoring = services.Get("Scoring").Address;
    var regression = services.Get("Regression").Address;

    // A typical agent of the measured workspace: the one of median activity, and the busiest, for scale.
    var agents = world.AgentList.Where(a => a.WorkspaceId == World.MeasuredWorkspace).OrderBy(a => a.Weight).ToList();
    var typical = agents[agents.Count / 2];
    var busiest = agents[^1];

    // Cheapest first, and each goal printed as soon as it is measured (on a loaded machine a run may be cut short).
    Uri Results(SyntheticAgent agent, string? cursor) =>
        new(scoring, $"/benchmarks/agents/{agent.AgentId}/results?timeframe=all&limit=100" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
    var history = await HistoryAsync(typical.AgentId);
    var busiestHistory = await HistoryAsync(busiest.AgentId);
    Console.WriteLine($"typical agent {typical.AgentId}: {history:N0} executions; busiest {busiest.AgentId}: {busiestHistory:N0}");
    var rows = $"{options.Executions:N0} executions";

    var firstPage = await timer.TimeAsync("results, first page (100, all time)", _ => Results(typical, null), options.Calls, ct);
    // A deep page: the cursor after following next_cursor 40 pages (4,000 executions) back.
    string? deep = null;
    for (var page = 0; page < 40; page++)
    {
        var answer = await timer.GetJsonAsync(Results(typical, deep), ct);
        if (answer.GetProperty("next_cursor").GetString() is not { } next)
        {
            break;
        }

        deep = next;
    }

    var deepPage = await timer.TimeAsync("results, deep page (after 40 pages)", _ => Results(typical, deep), options.Calls, ct);
    Print(firstPage, deepPage);
    Goal("results page (keyset, first and deep)", Slowest(firstPage, deepPage), 50, $"median of {options.Calls} warm calls each, 100 rows (p95 {Math.Max(firstPage.P95Ms, deepPage.P95Ms):0} ms); agent with {history:N0} executions; {rows}; load {LoadAverage()}");

    var check = await timer.TimeAsync("regression check (typical agent, whole history judged)",
        _ => new Uri(regression, $"/benchmarks/agents/{typical.AgentId}/regressions?threshold=0.05"), options.Calls, ct);
    Print(check);
    Goal("regression check (one agent's history)", check.MedianMs, 1_000, $"median of {options.Calls} warm calls (p95 {check.P95Ms:0} ms); {history:N0} executions judged; {rows}; load {LoadAverage()}");

    var pipeline = await new Pipeline(world, options.RabbitMq, databases.Scoring, databases.Regression)
        .MeasureAsync(options.PipelineExecutions, items: 50, passes: 2, ct);
    var pipelineLoad = LoadAverage();
    Console.WriteLine($"pipeline: {pipeline.Executions} executions x {pipeline.SamplesPerExecution} samples scored in {pipeline.Seconds:0.00} s = {pipeline.SamplesPerSecond:N0} scored samples/s; load average {pipelineLoad}");
    Console.WriteLine(pipeline.RegressionSeconds is { } judged
        ? $"pipeline: Regression had judged the same {pipeline.Executions} executions {judged:0.00} s after the first publish = {pipeline.RegressionMsPerExecution:0.0} ms per execution; load average {LoadAverage()}"
        : $"pipeline: Regression had not judged the same {pipeline.Executions} executions within 10 minutes; load average {LoadAverage()}");
    Console.WriteLine($"pipeline: Regression's judgements since it started, medians: {JudgementLog.Summary(Path.Combine(options.Logs, "regression.log"))}");
    Console.WriteLine(string.Join('\t', "GOAL", "scale", "pipeline: Scoring's scored samples/s with the tables full",
        $"{pipeline.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture)} samples/s", ">= 2,000 samples/s",
        pipeline.SamplesPerSecond >= 2_000 ? "MET" : "SHORT",
        $"{pipeline.Executions} BenchmarkExecuted x {pipeline.SamplesPerExecution} samples; Leaderboard and Regression consuming; {rows}; load {pipelineLoad}"));

    // The leaderboard last: the pipeline's scores have refreshed its views, so wait for that refresh first.
    await WaitForViewRefreshAsync();
    var board = await timer.TimeAsync("leaderboard (default: overall, all metrics, by agent, 30 days)",
        _ => new Uri(leaderboard, "/benchmarks/leaderboard"), options.Calls, ct);
    var filtered = await timer.TimeAsync("leaderboard (accuracy category, accuracy metric, by version, successes, 50)",
        _ => new Uri(leaderboard, "/benchmarks/leaderboard?category=accuracy&metric=accuracy&group_by=version&status=success&limit=50"),
        options.Calls, ct);
    Print(board, filtered);
    Goal("leaderboard, §3.1 default board", Slowest(board, filtered), 100, $"median of {options.Calls} warm calls each, default and filtered board (p95 {Math.Max(board.P95Ms, filtered.P95Ms):0} ms); uncached (no Redis); {rows}; load {LoadAverage()}");
}

return 0;

void Goal(string what, double medianMs, double goalMs, string note) =>
    Console.WriteLine(string.Join('\t', "GOAL", "scale", what, $"{medianMs.ToString("0.0", CultureInfo.InvariantCulture)} ms",
        $"<= {goalMs.ToString("N0", CultureInfo.InvariantCulture)} ms", medianMs <= goalMs ? "MET" : "SHORT", note));

static double Slowest(RouteTiming a, RouteTiming b) => Math.Max(a.MedianMs, b.MedianMs);

static void Print(params RouteTiming[] timings)
{
    foreach (var t in timings)
    {
        Console.WriteLine($"{t.Route}: median {t.MedianMs:0.0} ms, p95 {t.P95Ms:0.0} ms over {t.Calls} calls");
    }
}

async Task<RunningServices> StartAllAsync()
{
    var started = new RunningServices();
    // Suites first: Regression consumes (and asks Suites) as soon as it starts.
    string[] names = ["Suites", "Scoring", "Leaderboard", "Regression"];
    for (var i = 0; i < names.Length; i++)
    {
        started.Add(await ServiceProcess.StartAsync(options.Repository, names[i], ports[i], options.Logs, names[i] switch { "Suites" => suitesSettings, "Regression" => regressionSettings, _ => settings }, ct));
    }

    return started;
}

// The leaderboard refreshes its views once at start; the reads are timed after that refresh.
async Task WaitForViewRefreshAsync()
{
    await using var connection = new NpgsqlConnection(databases.Leaderboard);
    await connection.OpenAsync(ct);
    await using var running = new NpgsqlCommand(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'REFRESH MATERIALIZED VIEW%' AND state = 'active'",
        connection);
    var refresh = Stopwatch.StartNew();
    var quiet = 0;
    while (quiet < 10)
    {
        quiet = (long)(await running.ExecuteScalarAsync(ct))! == 0 ? quiet + 1 : 0;
        await Task.Delay(200, ct);
    }

    Console.WriteLine($"leaderboard views refreshed by the service at start within {refresh.Elapsed.TotalSeconds:0} s");
}

async Task<long> HistoryAsync(Guid agentId)
{
    await using var connection = new NpgsqlConnection(databases.Regression);
    await connection.OpenAsync(ct);
    // Not a measured figure, only the size of the history the check reads: no 30 s limit (on cold pages after a 10 M
    // fill, under load, this count once took longer and ended the run).
    await using var command = new NpgsqlCommand("SELECT count(*) FROM regression.version_results WHERE agent_id = @agent", connection) { CommandTimeout = 0 };
    command.Parameters.AddWithValue("agent", agentId);
    return (long)(await command.ExecuteScalarAsync(ct))!;
}

async Task<string> SizesAsync()
{
    var parts = new List<string>();
    long total = 0;
    foreach (var (name, connectionString) in new[] { ("scoring", databases.Scoring), ("leaderboard", databases.Leaderboard), ("regression", databases.Regression) })
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        var bytes = (long)(await command.ExecuteScalarAsync(ct))!;
        total += bytes;
        parts.Add($"{name} {bytes / 1e9:0.0} GB");
    }

    return $"{total / 1e9:0.0} GB ({string.Join(", ", parts)})";
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}
