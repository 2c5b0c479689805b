using BenchMesh.Contracts.Agents;
using BenchMesh.Runner.Agents;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>The sample process agent (services/SampleAgents/process/calculator.py, in front of bc) and what starts it.</summary>
public static class SampleProcessAgents
{
    /// <summary>The adapter script, found from the test's output directory up to the repository.</summary>
    public static readonly string Calculator = FindUp(Path.Combine("services", "SampleAgents", "process", "calculator.py"));

    /// <summary>The calculator's endpoint (canonical command JSON), with extra arguments and a mode.</summary>
    public static string Endpoint(string mode, params string[] arguments) =>
        Command([Calculator, .. arguments], mode);

    public static string Command(IReadOnlyList<string> argv, string mode = ProcessModes.PerCall) =>
        ProcessCommand.TryCreate(argv, mode, out var command, out var error) ? command.ToJson() : throw new ArgumentException(error);

    /// <summary>A client on an enabled runner, as the worker has it.</summary>
    public static ProcessAgentClient Client(ProcessAgentOptions? options = null) =>
        new(new ProcessAgentPolicy(Options.Create(options ?? new ProcessAgentOptions { Enabled = true })), NullLogger<ProcessAgentClient>.Instance);

    /// <summary>True while a process exists and is not a zombie (a zombie has exited and only waits for its reaper).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The pids a calculator run wrote to its --pid-file.</summary>
    public static List<int> ReadPids(string pidFile) =>
        File.Exists(pidFile) ? [.. File.ReadAllLines(pidFile).Where(l => l.Length > 0).Select(int.Parse)] : [];

    private static string FindUp(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} was not found above {AppContext.BaseDirectory}.");
    }
}
