using System.CommandLine;
using BenchMesh.Benchmarks.Common;
using BenchMesh.FaultInjection;

namespace BenchMesh.ScaleOut.Benchmark;

/// <summary>The command line (<c>--help</c> lists it).</summary>
public sealed record ScaleOutOptions(
    int Replicas, int Benchmarks, int Items, int Warmups, int Iterations, TimeSpan AgentDelay, int Rounds, InfrastructurePorts Ports)
{
    /// <summary>Agent calls one run makes: every item in every warm-up and measured pass of every benchmark.</summary>
    public int CallsPerRun => Benchmarks * Items * (Warmups + Iterations);

    /// <summary>The options, or null after printing the help or the error (Program.cs exits with <paramref name="exitCode"/>).</summary>
    /// <param name="quick">BENCHMESH_BENCH_QUICK=1: half the items, so a benchmark takes about 10 s instead of 20 s.</param>
    public static ScaleOutOptions? ParseOrExit(IReadOnlyList<string> args, bool quick, out int exitCode)
    {
        var commandLine = new BenchmarkCommandLine("Runner scale-out: one run's wall time on N runner workers against 1 (issue 14).");
        var replicas = commandLine.Number("replicas", 3, 2, "Runner workers in the scaled-out case");
        var benchmarks = commandLine.Number("benchmarks", 6, 1, "Benchmarks in the suite");
        var items = commandLine.Number("items", quick ? 10 : 20, 1, "Items per benchmark");
        var warmups = commandLine.Number("warmups", 1, 0, "Warm-up passes per benchmark");
        var iterations = commandLine.Number("iterations", 4, 1, "Measured passes per benchmark");
        var delay = commandLine.Number("delay-ms", 200, 0, "How long the agent takes to answer, in ms");
        var rounds = commandLine.Number("rounds", 1, 1, "Rounds of N workers then 1");
        var ports = InfrastructurePorts.Options(commandLine, new InfrastructurePorts(24432, 24379, 24672, 24673));
        return commandLine.ParseOrExit(args, parsed =>
        {
            var options = new ScaleOutOptions(
                parsed.GetValue(replicas),
                parsed.GetValue(benchmarks),
                parsed.GetValue(items),
                parsed.GetValue(warmups),
                parsed.GetValue(iterations),
                TimeSpan.FromMilliseconds(parsed.GetValue(delay)),
                parsed.GetValue(rounds),
                ports(parsed));
            return (options, options.Ports.Validate());
        }, out exitCode);
    }
}
