using System.CommandLine;
using BenchMesh.Benchmarks.Common;

namespace BenchMesh.FaultInjection;

/// <summary>The faults the program injects, in the order it injects them.</summary>
public enum FaultKind
{
    RunnerKill,
    RabbitMqRestart,
    PostgresStop,
    RedisStop,
    ScoringKill,
}

public static class FaultKinds
{
    public static readonly IReadOnlyList<FaultKind> All = Enum.GetValues<FaultKind>();

    /// <summary>The name on the command line and in the table.</summary>
    public static string Name(this FaultKind kind) => kind switch
    {
        FaultKind.RunnerKill => "runner-kill",
        FaultKind.RabbitMqRestart => "rabbitmq-restart",
        FaultKind.PostgresStop => "postgres-stop",
        FaultKind.RedisStop => "redis-stop",
        FaultKind.ScoringKill => "scoring-kill",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static FaultKind? Parse(string name) => All.Cast<FaultKind?>().FirstOrDefault(k => k!.Value.Name() == name.Trim());
}

/// <summary>The private servers' ports. Never the shared defaults (5432, 6379, 5672, 15672): see <see cref="Validate"/>.</summary>
public sealed record InfrastructurePorts(int Postgres, int Redis, int RabbitMq, int RabbitMqManagement)
{
    private static readonly int[] SharedDefaults = [5432, 6379, 5672, 15672];

    public IEnumerable<int> All => [Postgres, Redis, RabbitMq, RabbitMqManagement];

    /// <summary>
    /// --pg-port, --redis-port, --rabbit-port and --rabbit-mgmt-port on <paramref name="commandLine"/>, defaulting to
    /// <paramref name="defaults"/> (each program its own, so that two programs' servers never meet); the returned
    /// function reads them from a parsed command line.
    /// </summary>
    public static Func<ParseResult, InfrastructurePorts> Options(BenchmarkCommandLine commandLine, InfrastructurePorts defaults)
    {
        var postgres = commandLine.Number("pg-port", defaults.Postgres, 1, "The private PostgreSQL's port");
        var redis = commandLine.Number("redis-port", defaults.Redis, 1, "The private Redis's port");
        var rabbitMq = commandLine.Number("rabbit-port", defaults.RabbitMq, 1, "The private RabbitMQ's AMQP port (its distribution port is 20000 above)");
        var management = commandLine.Number("rabbit-mgmt-port", defaults.RabbitMqManagement, 1, "The private RabbitMQ's management port");
        return parsed => new InfrastructurePorts(parsed.GetValue(postgres), parsed.GetValue(redis), parsed.GetValue(rabbitMq), parsed.GetValue(management));
    }

    public string? Validate()
    {
        var shared = All.FirstOrDefault(SharedDefaults.Contains);
        if (shared != 0)
        {
            return $"port {shared} is a shared server's default port: the program only ever starts and breaks its own servers";
        }

        // RabbitMQ's command-line tools take their own Erlang distribution port from 35672-35682: a broker there fails
        // to listen (eaddrinuse) as soon as rabbitmqctl runs.
        var cli = All.FirstOrDefault(p => p is >= 35672 and <= 35682);
        if (cli != 0)
        {
            return $"port {cli} is in 35672-35682, which RabbitMQ's command-line tools use";
        }

        if (All.Distinct().Count() != 4)
        {
            return "the four server ports must differ";
        }

        return RabbitMq + 20000 > 65535 ? "--rabbit-port must be at most 45535 (RabbitMQ's distribution port is 20000 above it)" : null;
    }
}

/// <summary>The command line (docs/fault-injection.md).</summary>
public sealed record CampaignOptions(
    int Repeats,
    int Benchmarks,
    int Items,
    int Iterations,
    int Warmups,
    IReadOnlyList<FaultKind> Faults,
    TimeSpan RunTimeout,
    TimeSpan Outage,
    int Seed,
    InfrastructurePorts Ports)
{
    /// <summary>Agent calls one run should make: every item in every warm-up and measured pass of every benchmark.</summary>
    public int ExpectedCallsPerRun => Benchmarks * Items * (Warmups + Iterations);

    public int ExpectedCallsPerBenchmark => Items * (Warmups + Iterations);

    /// <summary>The options, or null and the first error.</summary>
    public static CampaignOptions? Parse(IReadOnlyList<string> args, out string? error) => Define(out var bind).Parse(args, bind, out error);

    /// <summary>The options, or null after printing the help or the error (Program.cs exits with <paramref name="exitCode"/>).</summary>
    public static CampaignOptions? ParseOrExit(IReadOnlyList<string> args, out int exitCode) => Define(out var bind).ParseOrExit(args, bind, out exitCode);

    private static BenchmarkCommandLine Define(out Func<ParseResult, (CampaignOptions?, string?)> bind)
    {
        var commandLine = new BenchmarkCommandLine("Fault injection against a private copy of the stack (docs/fault-injection.md).");
        var repeats = commandLine.Number("repeats", 20, 1, "Runs per fault");
        var benchmarks = commandLine.Number("benchmarks", 4, 1, "Benchmarks in the suite");
        var items = commandLine.Number("items", 100, 1, "Items per benchmark");
        var iterations = commandLine.Number("iterations", 5, 1, "Measured passes per benchmark");
        var warmups = commandLine.Number("warmups", 3, 0, "Warm-up passes per benchmark");
        var faults = commandLine.Text("faults", string.Join(',', FaultKinds.All.Select(k => k.Name())), "The faults to inject, comma-separated", "FAULT,...");
        faults.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>().Split(',').FirstOrDefault(name => FaultKinds.Parse(name) is null) is { } unknown)
            {
                result.AddError($"unknown fault '{unknown}' (known: {string.Join(", ", FaultKinds.All.Select(k => k.Name()))})");
            }
        });
        var runTimeout = commandLine.Number("run-timeout", 300, 10, "Seconds a run may take");
        var outage = commandLine.Number("outage", 10, 0, "Seconds a fault lasts");
        var seed = commandLine.Number("seed", 1, 0, "Seed of the moments faults are injected at");
        var ports = InfrastructurePorts.Options(commandLine, new InfrastructurePorts(27432, 27379, 27672, 27673));
        bind = parsed =>
        {
            var options = new CampaignOptions(
                parsed.GetValue(repeats),
                parsed.GetValue(benchmarks),
                parsed.GetValue(items),
                parsed.GetValue(iterations),
                parsed.GetValue(warmups),
                [.. parsed.GetValue(faults)!.Split(',').Select(name => FaultKinds.Parse(name)!.Value)],
                TimeSpan.FromSeconds(parsed.GetValue(runTimeout)),
                TimeSpan.FromSeconds(parsed.GetValue(outage)),
                parsed.GetValue(seed),
                ports(parsed));
            return (options, options.Ports.Validate());
        };
        return commandLine;
    }
}
