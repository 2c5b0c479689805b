using Spectre.Console;

namespace BenchMesh.Cli.Tests;

/// <summary>Runs the CLI in-process with captured, non-interactive consoles (as under CI).</summary>
public static class CliHarness
{
    public static Task<CliResult> RunAsync(IDictionary<string, string>? environmentVariables, params string[] args) =>
        RunAsync(environmentVariables, terminal: false, args);

    /// <param name="terminal">Consoles that claim a TTY (ANSI, interactive), to exercise the live progress display.</param>
    public static Task<CliResult> RunAsync(IDictionary<string, string>? environmentVariables, bool terminal, params string[] args) =>
        RunCoreAsync(environmentVariables, terminal, standardInput: null, args);

    /// <summary>Runs the CLI with <paramref name="standardInput"/> as what it reads from standard input.</summary>
    public static Task<CliResult> RunWithInputAsync(string standardInput, params string[] args) =>
        RunCoreAsync(null, terminal: false, standardInput, args);

    /// <summary>Runs the CLI as if started in <paramref name="currentDirectory"/> (where it looks for .benchmesh/admin-key).</summary>
    public static Task<CliResult> RunInDirectoryAsync(string currentDirectory, IDictionary<string, string>? environmentVariables, params string[] args) =>
        RunCoreAsync(environmentVariables, terminal: false, standardInput: null, args, currentDirectory);

    /// <summary>
    /// By default the CLI runs in the system's temporary folder, so that no .benchmesh/admin-key of the repository (./run.sh
    /// writes one) is found by accident.
    /// </summary>
    private static async Task<CliResult> RunCoreAsync(
        IDictionary<string, string>? environmentVariables, bool terminal, string? standardInput, string[] args, string? currentDirectory = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment(CreateConsole(output, terminal), CreateConsole(error, terminal))
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            ProcessTerminationTimeout = null,
            GetEnvironmentVariable = name => environmentVariables?.TryGetValue(name, out var value) == true ? value : null,
            OpenStandardInput = () => new StringReader(standardInput ?? ""),
            CurrentDirectory = currentDirectory ?? Path.GetTempPath(),
        };
        var exitCode = await Cli.RunAsync(args, environment);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(null, args);

    private static IAnsiConsole CreateConsole(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = 200;
        return console;
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}
