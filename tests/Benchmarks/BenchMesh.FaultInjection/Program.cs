using System.Globalization;
using System.Runtime.InteropServices;
using BenchMesh.FaultInjection;

// Fault injection against the real stack (issue 11, part 2): a private PostgreSQL (durable), RabbitMQ and Redis on their
// own ports, BenchMesh's services as processes (two runners, two Scoring instances), a Python agent that is not ours,
// and runs of benchmarks × items × iterations with one fault injected mid-run, `repeats` times per fault. Prints a
// table and a PASS/FAIL line per fault; stops exactly what it started, also on Ctrl-C. docs/fault-injection.md.
//   tests/Benchmarks/fault-injection.sh [--repeats 20] [--items 100] [--iterations 5] [--faults a,b] ...
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(CampaignOptions.Usage);
    return 0;
}

if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("Linux only: the program reads /proc and starts processes through util-linux setsid.");
    return 2;
}

var options = CampaignOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(CampaignOptions.Usage);
    return 2;
}

var repository = FindRepositoryRoot();
var work = Directory.CreateTempSubdirectory("benchmesh-faults-").FullName;
// up.sh runs PostgreSQL as the postgres user, who must be able to reach its data folder below this one.
File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);
var logs = Directory.CreateDirectory(Path.Combine(work, "logs")).FullName;

// Ctrl-C and SIGTERM cancel the campaign; the `await using`s below then stop what was started, by PID.
using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (!cancel.IsCancellationRequested)
    {
        Console.WriteLine("\nstopping: every process and server this program started...");
        cancel.Cancel();
    }
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

Console.WriteLine($"Fault injection: {options.Benchmarks} benchmarks × {options.Items} items × {options.Iterations} iterations "
    + $"({options.Warmups} warm-ups; {options.ExpectedCallsPerRun:N0} agent calls per run), {options.Repeats} run(s) per fault, "
    + $"outage {options.Outage.TotalSeconds:0} s, run timeout {options.RunTimeout.TotalSeconds:0} s, seed {options.Seed}");
Console.WriteLine($"Private servers: PostgreSQL {options.Ports.Postgres}, Redis {options.Ports.Redis}, RabbitMQ {options.Ports.RabbitMq} "
    + $"(management {options.Ports.RabbitMqManagement}); work folder {work} (logs in {logs})");

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
var infrastructure = new PrivateInfrastructure(repository, Path.Combine(work, "infra"), options.Ports, Path.Combine(logs, "infrastructure.log"));
var status = 0;
try
{
    await using (infrastructure)
    {
        await infrastructure.StartAsync();
        await using var agent = new PythonAgent(work, logs);
        await using var fleet = new ServiceFleet(repository, infrastructure, logs);
        await agent.StartAsync(http, cancel.Token);
        Console.WriteLine($"Starting {fleet.All.Count} service processes ({string.Join(", ", fleet.All.Select(s => s.Name))})...");
        await fleet.StartAsync(http, cancel.Token);

        var campaign = new Campaign(options, new BenchMeshApi(http, fleet), agent,
            new FaultInjector(infrastructure, fleet, agent, http, options.Outage), new StoredResults(infrastructure.PostgresConnection),
            fleet, http, Console.Out);
        var summaries = await campaign.RunAsync(cancel.Token);

        Console.WriteLine();
        Console.Write(Report.Render(summaries, options.Faults.Select(f => f.Name()).ToHashSet()));
        status = summaries.Where(s => s.Fault != Campaign.CleanRow).All(s => s.Passed) ? 0 : 1;
    }
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    status = 130;
}
finally
{
    // The servers' data is thrown away; the logs stay for a look at what happened.
    if (Directory.Exists(Path.Combine(work, "infra")))
    {
        Directory.Delete(Path.Combine(work, "infra"), recursive: true);
    }

    Console.WriteLine($"Stopped everything it started. Logs: {logs}");
}

return status;

static string FindRepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "BenchMesh.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("BenchMesh.sln not found above the program's folder: run it from its build output in the repository");
}
