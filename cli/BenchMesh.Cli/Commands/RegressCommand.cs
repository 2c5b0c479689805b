using System.CommandLine;
using BenchMesh.Cli.Rendering;
using BenchMesh.Statistics.Engine;
using Spectre.Console;

namespace BenchMesh.Cli.Commands;

/// <summary>
/// <c>benchmesh regress</c>: offline regression analysis of series in JSON lines, with the same engine the
/// Regression service runs (docs/cli.md). It needs no gateway. Exit 0 when no series' last version regressed,
/// 2 when one did, 3 for a bad command line or a malformed input line (named in the message).
/// </summary>
public static class RegressCommand
{
    public static Command Definition(CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var input = new Option<string>("--input") { Description = "Series to analyse, one JSON object per line ('-' for standard input)", HelpName = "FILE", Required = true };
        var output = new Option<string?>("--output") { Description = "Where the verdicts go, one JSON object per line (default: standard output)", HelpName = "FILE" };
        var command = new Command("regress", "Judge versions of metric series for regressions, offline (JSON lines in, JSON lines out)") { input, output };
        command.SetAction((parseResult, ct) => ExecuteAsync(environment, parseResult.GetRequiredValue(input), parseResult.GetValue(output), ct));
        return command;
    }

    public static async Task<int> ExecuteAsync(CliEnvironment environment, string input, string? output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environment);
        IReadOnlyList<SeriesInput> series;
        try
        {
            using var reader = input == "-" ? environment.OpenStandardInput() : new StreamReader(input);
            series = SeriesJson.Read(reader);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            ProblemRenderer.Message(environment.Error, $"cannot read '{input}': {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (SeriesFormatException ex)
        {
            ProblemRenderer.Message(environment.Error, $"{(input == "-" ? "standard input" : input)}, {ex.Message}");
            return ExitCodes.Usage;
        }

        IReadOnlyList<SeriesVerdict> verdicts;
        try
        {
            verdicts = new RegressionEngine().Analyze(series);
        }
        catch (ArgumentException ex)
        {
            ProblemRenderer.Message(environment.Error, ex.Message);
            return ExitCodes.Usage;
        }

        var lines = verdicts.Select(SeriesJson.Write);
        if (output is null)
        {
            foreach (var line in lines)
            {
                environment.Out.Profile.Out.Writer.WriteLine(line);
            }
        }
        else
        {
            try
            {
                await File.WriteAllLinesAsync(output, lines, ct);
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or UnauthorizedAccessException or IOException)
            {
                ProblemRenderer.Message(environment.Error, $"cannot write '{output}': {ex.Message}");
                return ExitCodes.Usage;
            }

            environment.Error.WriteLine($"{verdicts.Count} series analysed, {verdicts.Count(v => v.Verdict == Verdict.Regressed)} regressed; verdicts in {output}");
        }

        return verdicts.Any(v => v.Verdict == Verdict.Regressed) ? ExitCodes.Regressions : ExitCodes.Success;
    }
}
