using System.Globalization;

namespace BenchMesh.Scale.Benchmark;

/// <summary>The command line (see Program.cs for each option).</summary>
public sealed record Options(
    string Postgres, string RabbitMq, string Repository, string Logs, long Executions, long SampleExecutions, int Calls,
    int PipelineExecutions, bool Fill)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var fill = true;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--no-fill")
            {
                fill = false;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i][2..]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Unknown argument '{args[i]}' (see Program.cs for the options).");
            }
        }

        string Text(string name, string? fallback = null) =>
            values.Remove(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required.");
        long Number(string name, long fallback) =>
            values.Remove(name, out var v) ? long.Parse(v.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;

        var options = new Options(
            Text("postgres"), Text("rabbitmq"), Path.GetFullPath(Text("repository", ".")), Text("logs", Path.GetTempPath()),
            Number("executions", 10_000_000), Number("sample-executions", 20_000), (int)Number("calls", 20),
            (int)Number("pipeline-executions", 200), fill);
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option --{values.Keys.First()} (see Program.cs for the options).");
        }

        return options;
    }
}
