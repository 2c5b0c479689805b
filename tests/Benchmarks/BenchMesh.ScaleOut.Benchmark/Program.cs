using System.Globalization;
using BenchMesh.Benchmarks.Common;
using BenchMesh.FaultInjection;
using BenchMesh.ScaleOut.Benchmark;

// Runner scale-out (issue 14): does a run go N times faster on N runner workers when the agent's latency dominates?
// A private PostgreSQL, RabbitMQ and Redis, Suites + one Scoring + N Runner processes from their Release build output
// (the fault-injection program's ServiceFleet), a Python agent answering after 200 ms, one suite of 6 benchmarks
// (each worker executes Runner:Worker:ConcurrentBenchmarks = 2 at once, so 3 workers have work for one wave). Each round
// runs the same run on N warm workers, then on 1 (the others stopped); the goal compares the runs' wall times, from POST
// to "completed" (every benchmark executed, stored and scored). Prints one GOAL line; stops everything it started by PID.
//   tests/Benchmarks/scaleout-benchmark.sh [--replicas 3] [--benchmarks 6] [--items 20] [--rounds 1] ...
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("Linux only: the program reads /proc and starts processes through util-linux setsid.");
    return 2;
}

var options = ScaleOutOptions.ParseOrExit(args, Environment.GetEnvironmentVariable("BENCHMESH_BENCH_QUICK") == "1", out var exitCode);
if (options is null)
{
    return exitCode;
}

var repository = BenchmarkHost.RepositoryRoot();
var work = WorkFolder.Create("benchmesh-scaleout-");
using var shutdown = new ShutdownSignal();

var perBenchmark = options.Items * (options.Warmups + options.Iterations) * options.AgentDelay;
Console.WriteLine($"Runner scale-out: 1 against {options.Replicas} workers; {options.Benchmarks} benchmarks × {options.Items} items × "
    + $"({options.Warmups} warm-up + {options.Iterations} measured passes) = {options.CallsPerRun:N0} agent calls per run, concurrency 1; "
    + $"agent answers after {options.AgentDelay.TotalMilliseconds:0} ms (about {perBenchmark.TotalSeconds:0} s per benchmark); {options.Rounds} round(s)");
Console.WriteLine($"{Environment.ProcessorCount} cores; load average {BenchmarkHost.LoadAverage()}; logs in {work.Logs}");

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
var infrastructure = new PrivateInfrastructure(repository, work.Servers, options.Ports, Path.Combine(work.Logs, "infrastructure.log"));
var status = 0;
try
{
    await using (infrastructure)
    {
        await infrastructure.StartAsync();
        await using var agent = new PythonAgent(work.Path, work.Logs, options.AgentDelay);
        // Only what a run needs: Leaderboard and Regression would add the same work to both cases, and noise.
        await using var fleet = new ServiceFleet(repository, infrastructure, work.Logs, runnerReplicas: options.Replicas, scoringReplicas: 1, withReadModels: false);
        await agent.StartAsync(http, shutdown.Token);
        Console.WriteLine($"Starting {fleet.All.Count} service processes ({string.Join(", ", fleet.All.Select(s => s.Name))})...");
        await fleet.StartAsync(http, shutdown.Token);
        var api = new BenchMeshApi(http, fleet);
        var measure = new ScaleOutRun(api, agent, http);

        // Warm-up: one call per benchmark on every worker (JIT, connections, queues), not measured.
        var warmSuite = await api.CreateSuiteAsync(options.Benchmarks, 1, shutdown.Token);
        var warm = await measure.RunAsync(warmSuite, "warm-up-1", 0, 1, shutdown.Token);
        Console.WriteLine($"  warm-up on {options.Replicas} workers: {warm.Status} in {warm.Wall.TotalSeconds:0.0} s");

        var suite = await api.CreateSuiteAsync(options.Benchmarks, options.Items, shutdown.Token);
        var results = new List<(ScaleOutResult One, ScaleOutResult Many)>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            // N workers first, every one of them warm: the workers stopped in the previous round start again and take a
            // warm-up run before the measured one (a restarted worker's first benchmark pays JIT and connection set-up,
            // seconds on a loaded machine, which the single warm worker would not).
            if (round > 1)
            {
                await fleet.EnsureHealthyAsync(http, shutdown.Token);
                await measure.RunAsync(warmSuite, $"warm-up-{round}", 0, 1, shutdown.Token);
            }

            var many = await measure.RunAsync(suite, $"many-{round}", options.Warmups, options.Iterations, shutdown.Token);
            Console.WriteLine($"  round {round}, {options.Replicas} workers: {many.Describe(options.CallsPerRun)}   load {BenchmarkHost.LoadAverage(1)}");

            // Then one worker: the others stopped (SIGTERM, idle by now).
            foreach (var runner in fleet.Runners.Skip(1))
            {
                await runner.StopAsync(TimeSpan.FromSeconds(15));
            }

            var one = await measure.RunAsync(suite, $"one-{round}", options.Warmups, options.Iterations, shutdown.Token);
            Console.WriteLine($"  round {round}, 1 worker:  {one.Describe(options.CallsPerRun)}   load {BenchmarkHost.LoadAverage(1)}");
            results.Add((one, many));
            if (!one.Complete(options.CallsPerRun) || !many.Complete(options.CallsPerRun))
            {
                Console.Error.WriteLine("a run did not complete with every agent call: no figure (see the logs)");
                status = 1;
            }
        }

        if (status == 0)
        {
            // The round whose ratio is lowest is the one reported: the goal must hold in each.
            var (oneRun, manyRun) = results.MinBy(r => r.One.Wall / r.Many.Wall);
            var ratio = oneRun.Wall / manyRun.Wall;
            var agentRatio = oneRun.AgentSeconds / manyRun.AgentSeconds;
            var goal = options.Replicas * 0.9;
            Console.WriteLine($"  wall time 1 : {options.Replicas} workers = {ratio:0.00}x (the agent's own span from first call to last answer: {agentRatio:0.00}x)");
            Console.WriteLine(string.Join('\t', "GOAL", "scale-out",
                $"run throughput, {options.Replicas} runner workers : 1 (wall time of one run, POST to completed)",
                $"{ratio:0.00}x ({oneRun.Wall.TotalSeconds:0.0} s / {manyRun.Wall.TotalSeconds:0.0} s)",
                $">= {goal:0.0#}x", ratio >= goal ? "MET" : "SHORT",
                $"{options.Benchmarks} benchmarks x {options.Items * (options.Warmups + options.Iterations)} calls, agent answering after "
                + $"{options.AgentDelay.TotalMilliseconds:0} ms; agent-side span ratio {agentRatio:0.00}x; {Environment.ProcessorCount} cores, load {BenchmarkHost.LoadAverage()}"));
        }
    }
}
catch (OperationCanceledException) when (shutdown.IsRequested)
{
    status = 130;
}
finally
{
    work.DeleteServers();

    Console.WriteLine($"Stopped everything it started. Logs: {work.Logs}");
}

return status;
