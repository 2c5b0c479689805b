using System.Globalization;
using BenchMesh.Benchmarks.Common;
using BenchMesh.FaultInjection;

// Fault injection against the real stack (issue 11, part 2): a private PostgreSQL (durable), RabbitMQ and Redis on their
// own ports, BenchMesh's services as processes (two runners, two Scoring instances), a Python agent that is not ours,
// and runs of benchmarks × items × iterations with one fault injected mid-run, `repeats` times per fault. Prints a
// table and a PASS/FAIL line per fault; stops exactly what it started, also on Ctrl-C. docs/fault-injection.md.
//   tests/Benchmarks/fault-injection.sh [--repeats 20] [--items 100] [--iterations 5] [--faults a,b] ...
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("Linux only: the program reads /proc and starts processes through util-linux setsid.");
    return 2;
}

var options = CampaignOptions.ParseOrExit(args, out var exitCode);
if (options is null)
{
    return exitCode;
}

var repository = BenchmarkHost.RepositoryRoot();
var work = WorkFolder.Create("benchmesh-faults-");

// Ctrl-C and SIGTERM cancel the campaign; the `await using`s below then stop what was started, by PID.
using var shutdown = new ShutdownSignal("\nstopping: every process and server this program started...");

Console.WriteLine($"Fault injection: {options.Benchmarks} benchmarks × {options.Items} items × {options.Iterations} iterations "
    + $"({options.Warmups} warm-ups; {options.ExpectedCallsPerRun:N0} agent calls per run), {options.Repeats} run(s) per fault, "
    + $"outage {options.Outage.TotalSeconds:0} s, run timeout {options.RunTimeout.TotalSeconds:0} s, seed {options.Seed}");
Console.WriteLine($"Private servers: PostgreSQL {options.Ports.Postgres}, Redis {options.Ports.Redis}, RabbitMQ {options.Ports.RabbitMq} "
    + $"(management {options.Ports.RabbitMqManagement}); work folder {work.Path} (logs in {work.Logs})");

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
var infrastructure = new PrivateInfrastructure(repository, work.Servers, options.Ports, Path.Combine(work.Logs, "infrastructure.log"));
var status = 0;
try
{
    await using (infrastructure)
    {
        await infrastructure.StartAsync();
        await using var agent = new PythonAgent(work.Path, work.Logs);
        await using var fleet = new ServiceFleet(repository, infrastructure, work.Logs);
        await agent.StartAsync(http, shutdown.Token);
        Console.WriteLine($"Starting {fleet.All.Count} service processes ({string.Join(", ", fleet.All.Select(s => s.Name))})...");
        await fleet.StartAsync(http, shutdown.Token);

        var campaign = new Campaign(options, new BenchMeshApi(http, fleet), agent,
            new FaultInjector(infrastructure, fleet, agent, http, options.Outage), new StoredResults(infrastructure.PostgresConnection),
            fleet, http, Console.Out);
        var summaries = await campaign.RunAsync(shutdown.Token);

        Console.WriteLine();
        Console.Write(Report.Render(summaries, options.Faults.Select(f => f.Name()).ToHashSet()));
        status = summaries.Where(s => s.Fault != Campaign.CleanRow).All(s => s.Passed) ? 0 : 1;
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
