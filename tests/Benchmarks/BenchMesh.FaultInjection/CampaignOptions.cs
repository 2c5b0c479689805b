using System.Globalization;

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

        return All.Distinct().Count() != 4 ? "the four server ports must differ" : null;
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
    public const string Usage =
        "usage: [--repeats 20] [--benchmarks 4] [--items 100] [--iterations 5] [--warmups 3] "
        + "[--faults runner-kill,rabbitmq-restart,postgres-stop,redis-stop,scoring-kill] [--run-timeout 300] [--outage 10] [--seed 1] "
        + "[--pg-port 27432] [--redis-port 27379] [--rabbit-port 27672] [--rabbit-mgmt-port 27673]";

    /// <summary>Agent calls one run should make: every item in every warm-up and measured pass of every benchmark.</summary>
    public int ExpectedCallsPerRun => Benchmarks * Items * (Warmups + Iterations);

    public int ExpectedCallsPerBenchmark => Items * (Warmups + Iterations);

    public static CampaignOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                error = $"expected --name value pairs, got '{args[i]}'";
                return null;
            }

            values[args[i][2..]] = args[i + 1];
        }

        var known = new[] { "repeats", "benchmarks", "items", "iterations", "warmups", "faults", "run-timeout", "outage", "seed", "pg-port", "redis-port", "rabbit-port", "rabbit-mgmt-port" };
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            error = $"unknown option --{unknown}";
            return null;
        }

        string? problem = null;
        int Number(string name, int fallback, int min)
        {
            if (!values.TryGetValue(name, out var text))
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min)
            {
                return n;
            }

            problem ??= $"--{name} must be a whole number ≥ {min}";
            return fallback;
        }

        var faults = new List<FaultKind>();
        foreach (var name in (values.GetValueOrDefault("faults") ?? string.Join(',', FaultKinds.All.Select(k => k.Name()))).Split(','))
        {
            if (FaultKinds.Parse(name) is { } kind)
            {
                faults.Add(kind);
            }
            else
            {
                problem ??= $"unknown fault '{name}' (known: {string.Join(", ", FaultKinds.All.Select(k => k.Name()))})";
            }
        }

        var options = new CampaignOptions(
            Repeats: Number("repeats", 20, 1),
            Benchmarks: Number("benchmarks", 4, 1),
            Items: Number("items", 100, 1),
            Iterations: Number("iterations", 5, 1),
            Warmups: Number("warmups", 3, 0),
            Faults: faults,
            RunTimeout: TimeSpan.FromSeconds(Number("run-timeout", 300, 10)),
            Outage: TimeSpan.FromSeconds(Number("outage", 10, 0)),
            Seed: Number("seed", 1, 0),
            Ports: new InfrastructurePorts(
                Number("pg-port", 27432, 1), Number("redis-port", 27379, 1), Number("rabbit-port", 27672, 1), Number("rabbit-mgmt-port", 27673, 1)));
        problem ??= options.Ports.Validate();
        if (options.Ports.RabbitMq + 20000 > 65535)
        {
            problem ??= "--rabbit-port must be at most 45535 (RabbitMQ's distribution port is 20000 above it)";
        }

        error = problem;
        return problem is null ? options : null;
    }
}
