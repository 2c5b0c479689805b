using System.Diagnostics;
using System.Globalization;
using BenchMesh.Benchmarks.Common;
using BenchMesh.Contracts.Runs;
using BenchMesh.FaultInjection;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Runner.Data;
using Npgsql;

/// <summary>
/// <c>--path worker</c>: the same agent through a real Runner worker, as the product runs a benchmark. A private
/// PostgreSQL, RabbitMQ and Redis, Suites and one Runner process from their Release build output (the fault-injection
/// program's <see cref="ServiceFleet"/>, no Scoring: the worker's part ends when its results are stored); a suite of one
/// benchmark of <see cref="Items"/> items, an http-json agent on --url, and per concurrency a run started through the
/// Runner's API (POST /benchmarks/run, asynchronous: the API publishes RunBenchmark to RabbitMQ, the worker consumes it).
/// The figure is the worker's own: the run's measured calls over the span from the worker's <c>started_at</c> (it took
/// the command, read back from the Runner's database) to the moment its results row is committed (samples and
/// BenchmarkExecuted in one SaveChanges), heard as a PostgreSQL notification that a trigger on the results table sends
/// (<see cref="StoredWorkerResults"/>): the row's own <c>stored_at</c> is taken before the insert, so a span ending there
/// would leave out writing the bodies (tens of MB).
/// Each concurrency first takes a probe run (also the worker's warm-up: JIT, connections) whose
/// rate sets the measured run's iterations to fill --seconds, at least <see cref="MinIterations"/> and at most
/// <see cref="RunLimits.MaxIterations"/> (<see cref="RunLimits.MaxSamplesPerBenchmark"/> calls).
/// </summary>
internal static class WorkerPath
{
    /// <summary>Items of the benchmark: 100 iterations of them are the most samples one benchmark may hold.</summary>
    private const int Items = RunLimits.MaxSamplesPerBenchmark / RunLimits.MaxIterations;

    /// <summary>
    /// The probe's passes (5,000 calls), and the fewest a measured run makes with --seconds (10,000 calls): a run of a few
    /// hundred milliseconds would measure the worker's first calls (JIT tiering, connections) more than its pace.
    /// </summary>
    private const int ProbeIterations = 5;
    private const int MinIterations = 10;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(RunnerBenchmarkOptions options)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("Linux only: --path worker starts processes through util-linux setsid.");
            return 2;
        }

        var repository = BenchmarkHost.RepositoryRoot();
        var work = WorkFolder.Create("benchmesh-runner-worker-");
        using var shutdown = new ShutdownSignal();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var infrastructure = new PrivateInfrastructure(repository, work.Servers, options.Ports, Path.Combine(work.Logs, "infrastructure.log"));
        try
        {
            await using (infrastructure)
            {
                await infrastructure.StartAsync();
                await using var fleet = new ServiceFleet(repository, infrastructure, work.Logs, runnerReplicas: 1, scoringReplicas: 0, withReadModels: false);
                Console.WriteLine($"worker path: starting {string.Join(", ", fleet.All.Select(s => s.Name))} on private servers (logs in {work.Logs})...");
                await fleet.StartAsync(http, shutdown.Token);
                var api = new BenchMeshApi(http, fleet);
                var suite = await api.CreateSuiteAsync(1, Items, shutdown.Token);
                var agentId = await api.CreateAgentAsync("worker-path", options.Url, shutdown.Token);
                await using var results = await StoredWorkerResults.ListenAsync($"{infrastructure.PostgresConnection};Database=benchmesh_runner", shutdown.Token);
                foreach (var concurrency in options.Concurrency)
                {
                    var probe = await RunOnceAsync(api, results, fleet.Runners[0], agentId, suite.SuiteId, ProbeIterations, concurrency, shutdown.Token);
                    var iterations = options.Calls is { } calls
                        ? Math.Clamp(calls / Items, 1, RunLimits.MaxIterations)
                        : Math.Clamp((int)Math.Round(probe.CallsPerSecond * options.Seconds / Items), MinIterations, RunLimits.MaxIterations);
                    var run = await RunOnceAsync(api, results, fleet.Runners[0], agentId, suite.SuiteId, iterations, concurrency, shutdown.Token);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"runner (worker) c={concurrency}: {run.CallsPerSecond:N0} calls/s over {run.Calls:N0} calls, median {run.MedianMs:0.000} ms, "
                        + $"p99 {run.P99Ms:0.000} ms, {run.Failures} failed; queue wait {run.QueueWait.TotalMilliseconds:0} ms, "
                        + $"executor {run.Executing.TotalMilliseconds:0} ms ({run.Calls / run.Executing.TotalSeconds:N0} calls/s), "
                        + $"storing {run.Storing.TotalMilliseconds:0} ms to stored_at + {run.Committing.TotalMilliseconds:0} ms to the commit; published by the relay {run.Relaying.TotalMilliseconds:0} ms after the commit (outside the span, before the next run); worker CPU {run.CpuPerCall.TotalMicroseconds:0} µs a call; load {BenchmarkHost.LoadAverage()}"));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"RESULT\t{RunnerBenchmarkOptions.WorkerPath}\t{concurrency}\t{run.CallsPerSecond:0.0}\t{run.MedianMs:0.0000}\t{run.P99Ms:0.0000}\t{run.Failures}"));
                }
            }
        }
        catch (OperationCanceledException) when (shutdown.IsRequested)
        {
            return 130;
        }
        finally
        {
            work.DeleteServers();
        }

        return 0;
    }

    /// <summary>
    /// One run of the benchmark, no warm-up pass, followed in the Runner's database until its results are stored. The
    /// worker's CPU time (user + system, its whole process) from the run's start to its results read back, a call: unlike
    /// calls/s, a figure that the other processes on a shared machine move little (docs/timing.md).
    /// </summary>
    private static async Task<WorkerRun> RunOnceAsync(
        BenchMeshApi api, StoredWorkerResults results, ManagedProcess worker, Guid agentId, Guid suiteId, int iterations, int concurrency,
        CancellationToken ct)
    {
        var cpuBefore = CpuTime(worker);
        var runId = await api.StartRunAsync(agentId, suiteId, 0, iterations, ct, concurrency);
        var committedAt = await results.CommittedAsync(runId, RunTimeout, ct)
            ?? throw new TimeoutException($"run {runId}: no results stored within {RunTimeout.TotalMinutes:0} min (see the runner's log)");
        var cpu = CpuTime(worker) - cpuBefore;
        var stored = await results.ReadAsync(runId, ct) ?? throw new InvalidOperationException($"run {runId}: its results row went away");
        // The relay publishes the run's BenchmarkExecuted (every sample) after the commit, outside the span measured. The
        // next run starts only once it has: otherwise that publication ran inside the next run and was billed to it.
        var relayed = await results.RelayedAsync(RunTimeout, ct)
            ?? throw new TimeoutException($"run {runId}: the worker's outbox was not relayed within {RunTimeout.TotalMinutes:0} min (see the runner's log)");
        return WorkerRun.From(stored.Executed, stored.StoredAt, committedAt, relayed, cpu);
    }

    private static TimeSpan CpuTime(ManagedProcess worker)
    {
        using var process = Process.GetProcessById(worker.Pid ?? throw new InvalidOperationException($"{worker.Name} is not running"));
        return process.TotalProcessorTime;
    }
}

/// <summary>
/// What the worker stored for a run of one benchmark (runner.benchmark_results), read back as the worker wrote it, and
/// when each row was committed. A trigger added to the benchmark's private database (after the Runner has migrated it)
/// notifies a channel with the run's id on every insert; PostgreSQL delivers a notification when its transaction commits,
/// and this class listens on its own connection. The benchmark used to ask the table every 5 ms instead: 200 queries a
/// second during the run, whose CPU (this process and a PostgreSQL backend, about 5 % of a two-core machine) was taken
/// from the worker it measured, and whose answer came up to 5 ms late (docs/timing.md, "Fifth pass").
/// </summary>
internal sealed class StoredWorkerResults : IAsyncDisposable
{
    private const string Channel = "benchmesh_bench_results_committed";

    private readonly string _connectionString;
    private readonly NpgsqlConnection _listener;
    private readonly Dictionary<Guid, DateTimeOffset> _committed = [];

    private StoredWorkerResults(string connectionString, NpgsqlConnection listener)
    {
        _connectionString = connectionString;
        _listener = listener;
        // Dated on arrival: Npgsql raises it while WaitAsync reads the notification from the socket.
        _listener.Notification += (_, e) => _committed[Guid.Parse(e.Payload)] = DateTimeOffset.UtcNow;
    }

    public static async Task<StoredWorkerResults> ListenAsync(string connectionString, CancellationToken ct)
    {
        var listener = new NpgsqlConnection(connectionString);
        await listener.OpenAsync(ct);
        await using (var command = new NpgsqlCommand($"""
            CREATE OR REPLACE FUNCTION {RunnerDbContext.Schema}.bench_notify_committed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_notify('{Channel}', NEW.run_id::text); RETURN NULL; END $$;
            CREATE OR REPLACE TRIGGER bench_notify_committed AFTER INSERT ON {RunnerDbContext.Schema}.benchmark_results
                FOR EACH ROW EXECUTE FUNCTION {RunnerDbContext.Schema}.bench_notify_committed();
            LISTEN {Channel};
            """, listener))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        return new StoredWorkerResults(connectionString, listener);
    }

    /// <summary>When the run's results row was committed (heard, not asked for); null when it was not within <paramref name="timeout"/>.</summary>
    public async Task<DateTimeOffset?> CommittedAsync(Guid runId, TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (!_committed.ContainsKey(runId))
        {
            var left = timeout - waited.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(left);
            try
            {
                await _listener.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null;
            }
        }

        return _committed[runId];
    }

    public async ValueTask DisposeAsync() => await _listener.DisposeAsync();

    /// <summary>
    /// When the worker's outbox relay had published every row (the last <c>sent_at</c>), asked every 20 ms after a commit
    /// and before the next run starts (never during a measured span); null when rows were still unsent after
    /// <paramref name="timeout"/>.
    /// </summary>
    public async Task<DateTimeOffset?> RelayedAsync(TimeSpan timeout, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var unsent = new NpgsqlCommand(
            $"SELECT count(*) FROM {RunnerDbContext.Schema}.outbox_messages WHERE sent_at IS NULL", connection);
        var waited = Stopwatch.StartNew();
        while ((long)(await unsent.ExecuteScalarAsync(ct))! > 0)
        {
            if (waited.Elapsed > timeout)
            {
                return null;
            }

            await Task.Delay(20, ct);
        }

        await using var last = new NpgsqlCommand($"SELECT max(sent_at) FROM {RunnerDbContext.Schema}.outbox_messages", connection);
        return await last.ExecuteScalarAsync(ct) is DateTimeOffset sent ? sent : DateTimeOffset.UtcNow;
    }

    public async Task<(BenchmarkExecuted Executed, DateTimeOffset StoredAt)?> ReadAsync(Guid runId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"SELECT body::text, stored_at FROM {RunnerDbContext.Schema}.benchmark_results WHERE run_id = @run", connection);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? (OutboxModelExtensions.DeserializeMessage<BenchmarkExecuted>(reader.GetString(0)), reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }
}

/// <summary>
/// One worker run's figures: calls/s from started_at to the results' commit, the samples' latency, where the span went
/// (executing, then storing up to the row's stored_at, then committing), the worker's CPU time a call, and how long after
/// the commit the outbox relay had published the results (outside the span).
/// </summary>
internal sealed record WorkerRun(
    int Calls, double CallsPerSecond, double MedianMs, double P99Ms, int Failures, TimeSpan QueueWait, TimeSpan Executing, TimeSpan Storing,
    TimeSpan Committing, TimeSpan Relaying, TimeSpan CpuPerCall)
{
    public static WorkerRun From(BenchmarkExecuted executed, DateTimeOffset storedAt, DateTimeOffset committedAt, DateTimeOffset relayedAt, TimeSpan cpu)
    {
        var latencies = executed.Samples.Where(s => s.ErrorKind is null).Select(s => s.DurationMs).Order().ToArray();
        var calls = executed.Samples.Count;
        return new WorkerRun(
            calls,
            calls / (committedAt - executed.StartedAt).TotalSeconds,
            latencies.Length == 0 ? double.NaN : latencies[latencies.Length / 2],
            latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))],
            executed.Samples.Count(s => s.ErrorKind is not null),
            executed.RequestedAt is { } requested ? executed.StartedAt - requested : TimeSpan.Zero,
            executed.CompletedAt - executed.StartedAt,
            storedAt - executed.CompletedAt,
            committedAt - storedAt,
            relayedAt - committedAt,
            calls == 0 ? TimeSpan.Zero : cpu / calls);
    }
}
