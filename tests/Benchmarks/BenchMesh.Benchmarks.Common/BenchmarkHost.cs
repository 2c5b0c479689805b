using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace BenchMesh.Benchmarks.Common;

/// <summary>The surroundings a benchmark program reads: the repository it runs from and the machine's load.</summary>
public static class BenchmarkHost
{
    /// <summary>The repository root: the first folder above the program's build output holding BenchMesh.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "BenchMesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("BenchMesh.sln not found above the program's folder: run it from its build output in the repository");
    }

    /// <summary>The first <paramref name="fields"/> load averages of /proc/loadavg ("unknown" where there is none).</summary>
    public static string LoadAverage(int fields = 3) =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(fields)) : "unknown";
}

/// <summary>
/// A new temporary folder for one run of a program that starts private servers, with a <c>logs</c> folder inside.
/// Mode 755: deploy/local/up.sh runs PostgreSQL as the postgres user, who must reach its data folder below this one.
/// </summary>
public sealed record WorkFolder(string Path, string Logs)
{
    /// <summary>Where the private servers keep their data (deploy/local/env.sh's BM_INFRA_DIR).</summary>
    public string Servers => System.IO.Path.Combine(Path, "infra");

    /// <summary>Throws the servers' data away (at the end of a run); the logs stay for a look at what happened.</summary>
    public void DeleteServers()
    {
        if (Directory.Exists(Servers))
        {
            Directory.Delete(Servers, recursive: true);
        }
    }

    [SupportedOSPlatform("linux")]
    public static WorkFolder Create(string prefix)
    {
        var work = Directory.CreateTempSubdirectory(prefix).FullName;
        File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);
        return new WorkFolder(work, Directory.CreateDirectory(System.IO.Path.Combine(work, "logs")).FullName);
    }
}

/// <summary>
/// Ctrl-C and SIGTERM cancel <see cref="Token"/> instead of ending the process, so that the program's
/// <c>await using</c>s stop what it started, by PID. Dispose it last (a <c>using var</c> at the top of Program.cs).
/// </summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    /// <param name="message">Printed once when the first signal arrives (null: nothing).</param>
    public ShutdownSignal(string? message = null)
    {
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!_cancel.IsCancellationRequested)
            {
                if (message is not null)
                {
                    Console.WriteLine(message);
                }

                _cancel.Cancel();
            }
        }

        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cancel.Token;

    public bool IsRequested => _cancel.IsCancellationRequested;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancel.Dispose();
    }
}
