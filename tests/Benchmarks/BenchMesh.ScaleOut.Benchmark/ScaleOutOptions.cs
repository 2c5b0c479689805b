using System.Globalization;
using BenchMesh.FaultInjection;

namespace BenchMesh.ScaleOut.Benchmark;

/// <summary>The command line (see <see cref="Usage"/>).</summary>
public sealed record ScaleOutOptions(
    int Replicas, int Benchmarks, int Items, int Warmups, int Iterations, TimeSpan AgentDelay, int Rounds, InfrastructurePorts Ports)
{
    public const string Usage =
        "usage: [--replicas 3] [--benchmarks 6] [--items 20] [--warmups 1] [--iterations 4] [--delay-ms 200] [--rounds 1] "
        + "[--pg-port 24432] [--redis-port 24379] [--rabbit-port 24672] [--rabbit-mgmt-port 24673]";

    /// <summary>Agent calls one run makes: every item in every warm-up and measured pass of every benchmark.</summary>
    public int CallsPerRun => Benchmarks * Items * (Warmups + Iterations);

    public static ScaleOutOptions? Parse(IReadOnlyList<string> args, bool quick, out string? error)
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

        var known = new[] { "replicas", "benchmarks", "items", "warmups", "iterations", "delay-ms", "rounds", "pg-port", "redis-port", "rabbit-port", "rabbit-mgmt-port" };
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

        // Quick (BENCHMESH_BENCH_QUICK=1): half the items, so a benchmark takes about 10 s instead of 20 s.
        var options = new ScaleOutOptions(
            Replicas: Number("replicas", 3, 2),
            Benchmarks: Number("benchmarks", 6, 1),
            Items: Number("items", quick ? 10 : 20, 1),
            Warmups: Number("warmups", 1, 0),
            Iterations: Number("iterations", 4, 1),
            AgentDelay: TimeSpan.FromMilliseconds(Number("delay-ms", 200, 0)),
            Rounds: Number("rounds", 1, 1),
            Ports: new InfrastructurePorts(
                Number("pg-port", 24432, 1), Number("redis-port", 24379, 1), Number("rabbit-port", 24672, 1), Number("rabbit-mgmt-port", 24673, 1)));
        problem ??= options.Ports.Validate();
        if (options.Ports.RabbitMq + 20000 > 65535)
        {
            problem ??= "--rabbit-port must be at most 45535 (RabbitMQ's distribution port is 20000 above it)";
        }

        error = problem;
        return problem is null ? options : null;
    }
}
