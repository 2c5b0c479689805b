using System.CommandLine;
using System.Globalization;
using BenchMesh.Benchmarks.Common;

namespace BenchMesh.Scale.Benchmark;

/// <summary>The command line (Program.cs and <c>--help</c> list each option).</summary>
public sealed record Options(
    string Postgres, string RabbitMq, string Repository, string Logs, long Executions, long SampleExecutions, int Calls,
    int PipelineExecutions, bool Fill, long Agents = World.DefaultAgents)
{
    /// <summary>The options, or null after printing the help or the error (Program.cs exits with <paramref name="exitCode"/>).</summary>
    public static Options? ParseOrExit(string[] args, out int exitCode)
    {
        var commandLine = new BenchmarkCommandLine("The scale benchmark: fills private databases, then times the services' routes against them (issue 14).");
        var postgres = commandLine.RequiredText("postgres", "The private PostgreSQL (a connection string without a database name)", "CONNECTION");
        var rabbitMq = commandLine.RequiredText("rabbitmq", "The private RabbitMQ (an amqp:// URI)", "URI");
        var repository = commandLine.Text("repository", ".", "The repository whose services/*/bin/Release run", "PATH");
        var logs = commandLine.Text("logs", Path.GetTempPath(), "Where the services' logs go", "FOLDER");
        var executions = commandLine.Add(Count("executions", 10_000_000, "Executions to fill"));
        var sampleExecutions = commandLine.Add(Count("sample-executions", 20_000, "Newest executions whose raw samples are filled"));
        var calls = commandLine.Add(Count("calls", 20, "Timed calls per route (after 3 warm-up calls)"));
        var pipelineExecutions = commandLine.Add(Count("pipeline-executions", 200, "BenchmarkExecuted messages timed (100 samples each)"));
        var agents = commandLine.Add(Count("agents", World.DefaultAgents, "Agents of the world (fewer: longer histories at a smaller fill)"));
        var noFill = commandLine.Add(new Option<bool>("--no-fill") { Description = "Measure the databases as they are (a previous fill)" });
        return commandLine.ParseOrExit<Options>(args, parsed => (new Options(
            parsed.GetValue(postgres)!,
            parsed.GetValue(rabbitMq)!,
            Path.GetFullPath(parsed.GetValue(repository)!),
            parsed.GetValue(logs)!,
            parsed.GetValue(executions),
            parsed.GetValue(sampleExecutions),
            (int)parsed.GetValue(calls),
            (int)parsed.GetValue(pipelineExecutions),
            !parsed.GetValue(noFill),
            Math.Max(1, parsed.GetValue(agents))), null), out exitCode);
    }

    /// <summary>A count that may be written with digit separators, as 10_000_000 or 10,000,000.</summary>
    private static Option<long> Count(string name, long fallback, string description) => BenchmarkCommandLine.AtLeast(new Option<long>($"--{name}")
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            var text = result.Tokens[0].Value.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }

            result.AddError($"--{name} must be a whole number");
            return fallback;
        },
    }, 0L);
}
