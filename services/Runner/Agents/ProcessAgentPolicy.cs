using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using BenchMesh.Contracts.Agents;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// Decides whether this runner may start a process agent's command, and starts it. The API asks before it accepts a
/// run (422 with the reason), and the worker asks again before every start, since a command can reach the queue
/// from elsewhere or the configuration can differ between replicas.
/// </summary>
public sealed class ProcessAgentPolicy(IOptions<ProcessAgentOptions> options)
{
    private static readonly string? Setsid = FindOnPath("setsid", Environment.GetEnvironmentVariable("PATH"));

    public ProcessAgentOptions Options => options.Value;

    /// <summary>The command to start for <paramref name="endpoint"/>, with argv[0] resolved to a path; or why not.</summary>
    public bool TryAuthorize(
        string endpoint, [NotNullWhen(true)] out ProcessCommand? command, [NotNullWhen(true)] out string? program, [NotNullWhen(false)] out string? refusal)
    {
        command = null;
        program = null;
        var o = options.Value;
        if (!o.Enabled)
        {
            refusal = "Process agents are not enabled on this runner: running commands is the operator's decision. "
                      + $"Set {ProcessAgentOptions.Section}:Enabled to true (environment variable "
                      + $"{ProcessAgentOptions.Section.Replace(":", "__", StringComparison.Ordinal)}__Enabled=true), optionally with "
                      + $"{ProcessAgentOptions.Section}:AllowedExecutables; ./run.sh enables process agents for the sample agents.";
            return false;
        }

        if (!ProcFs.Available)
        {
            refusal = "Process agents need Linux (/proc), which this runner does not have.";
            return false;
        }

        if (!ProcessCommand.TryParse(endpoint, out command, out var error))
        {
            refusal = $"{error} Register the agent again with \"command\" as an array of strings.";
            return false;
        }

        var resolved = Resolve(command.Command[0], o);
        if (resolved is null)
        {
            refusal = $"The program '{command.Command[0]}' was not found{(command.Command[0].Contains('/') ? "" : " in PATH")} on this runner, or is not a file.";
            return false;
        }

        if (o.AllowedExecutables.Length > 0 && !o.AllowedExecutables.Any(entry => Allows(entry, resolved, o)))
        {
            refusal = $"The program '{resolved}' is not in {ProcessAgentOptions.Section}:AllowedExecutables on this runner.";
            return false;
        }

        program = resolved;
        refusal = null;
        return true;
    }

    /// <summary>
    /// Starts the command with its stdin, stdout and stderr redirected, never through a shell: the arguments go to the
    /// program one by one (<see cref="ProcessStartInfo.ArgumentList"/>). Through <c>setsid</c> (util-linux, which
    /// execs the program in place, keeping its pid) the agent leads a session of its own, so that a timeout or a
    /// memory limit kills everything it started (<see cref="ProcFs.KillTree"/>) and a signal to the runner's terminal
    /// does not reach it. The environment holds only <see cref="ProcessAgentOptions.PassEnvironment"/>.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    public Process Start(ProcessCommand command, string program)
    {
        var o = options.Value;
        var start = new ProcessStartInfo
        {
            FileName = Setsid ?? program,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = o.WorkingDirectory ?? "",
        };
        if (Setsid is not null)
        {
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(program);
        }

        foreach (var argument in command.Command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var name in o.PassEnvironment)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        return Process.Start(start) ?? throw new System.ComponentModel.Win32Exception($"'{program}' did not start.");
    }

    private static string? Resolve(string program, ProcessAgentOptions o)
    {
        if (program.Contains('/'))
        {
            var path = Path.GetFullPath(program, o.WorkingDirectory ?? Environment.CurrentDirectory);
            return File.Exists(path) ? path : null;
        }

        return FindOnPath(program, Environment.GetEnvironmentVariable("PATH"));
    }

    private static bool Allows(string entry, string program, ProcessAgentOptions o)
    {
        if (entry.EndsWith('/'))
        {
            var directory = Path.GetFullPath(entry, o.WorkingDirectory ?? Environment.CurrentDirectory);
            return program.StartsWith(directory, StringComparison.Ordinal);
        }

        return Resolve(entry, o) is { } allowed && string.Equals(allowed, program, StringComparison.Ordinal);
    }

    private static string? FindOnPath(string name, string? path) =>
        (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
