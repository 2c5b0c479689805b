using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace BenchMesh.Testing;

/// <summary>
/// A PostgreSQL server of the test's own, which the test may stop and start to play an outage without touching the
/// shared server other tests use: a fresh cluster (<c>initdb</c>) on a free loopback port, driven with <c>pg_ctl</c> from
/// Debian's packages (<c>/usr/lib/postgresql/*/bin</c>, or <c>PG_BIN</c>). <see cref="StopAsync"/> is a fast shutdown,
/// which clients see as a restart would show them (57P01 on open connections, then "connection refused").
/// Run as root, the server runs as the <c>postgres</c> user (PostgreSQL refuses root), as deploy/local/up.sh does.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;

    private PrivatePostgres(string bin, string directory, int port) => (_bin, _directory, Port) = (bin, directory, port);

    public int Port { get; }

    /// <summary>A connection string to <paramref name="database"/> on this server (the service's migrations create it).</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = "postgres", Password = "postgres", Database = database,
    }.ConnectionString;

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } configured
            ? configured
            : Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0).LastOrDefault()
              ?? throw new InvalidOperationException("No PostgreSQL binaries: install postgresql or set PG_BIN.");
        var directory = Path.Combine(Path.GetTempPath(), $"bm-private-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres:postgres", directory]);
        }

        var server = new PrivatePostgres(bin, directory, FreePort());
        await server.PgAsync("initdb", ["-D", server.Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        await server.StartServerAsync();
        return server;
    }

    private string Data => Path.Combine(_directory, "data");

    /// <summary>Starts the stopped server and waits until it accepts connections.</summary>
    public Task StartServerAsync() => PgAsync("pg_ctl",
    [
        "-D", Data, "-w", "-t", "60", "-l", Path.Combine(_directory, "server.log"),
        "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=200", "start",
    ]);

    /// <summary>Stops the server (fast shutdown: open connections are closed, committed work is kept).</summary>
    public Task StopAsync() => PgAsync("pg_ctl", ["-D", Data, "-w", "-t", "60", "-m", "fast", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", ["-D", Data, "-w", "-t", "60", "-m", "immediate", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private Task PgAsync(string tool, IReadOnlyList<string> arguments) => Environment.IsPrivilegedProcess
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
        : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
