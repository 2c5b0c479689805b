using System.Diagnostics;
using System.Net.Sockets;

namespace BenchMesh.FaultInjection;

/// <summary>
/// The program's own PostgreSQL (durable settings), RabbitMQ and Redis, on its own ports and in its own folder, started,
/// stopped and restarted with the repository's scripts (deploy/local/up.sh and down.sh, which honour BM_INFRA_DIR and
/// the port variables). It refuses ports where anything already answers, so it can only ever stop servers it started.
/// </summary>
public sealed class PrivateInfrastructure(string repositoryRoot, string directory, InfrastructurePorts ports, string logPath) : IAsyncDisposable
{
    public const string Postgres = "postgres";
    public const string RabbitMq = "rabbitmq";
    public const string Redis = "redis";

    private bool _started;

    public string PostgresConnection => $"Host=127.0.0.1;Port={ports.Postgres};Username=postgres;Password=postgres";
    public string RabbitMqConnection => $"amqp://guest:guest@127.0.0.1:{ports.RabbitMq}";
    public string RedisConnection => $"127.0.0.1:{ports.Redis}";

    public async Task StartAsync()
    {
        foreach (var port in ports.All.Append(ports.RabbitMq + 20000))
        {
            if (await AnswersAsync(port))
            {
                throw new InvalidOperationException($"something already listens on 127.0.0.1:{port}: choose other ports (see --help)");
            }
        }

        _started = true;
        await UpAsync();
    }

    /// <summary>Starts the servers named (all three when none is), each unless it answers already.</summary>
    public Task UpAsync(params string[] servers) => RunScriptAsync("up.sh", servers);

    public Task StopAsync(string server) => RunScriptAsync("down.sh", [server]);

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            _started = false;
            await RunScriptAsync("down.sh", [Postgres, Redis, RabbitMq]);
        }
    }

    private async Task RunScriptAsync(string script, IReadOnlyList<string> arguments)
    {
        // In its own session, like the services (ManagedProcess): a Ctrl-C must not take RabbitMQ down behind our back.
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["bash", Path.Combine(repositoryRoot, "deploy", "local", script), .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["BM_INFRA_DIR"] = directory;
        start.Environment["PG_PORT"] = ports.Postgres.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["REDIS_PORT"] = ports.Redis.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBIT_PORT"] = ports.RabbitMq.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["RABBIT_MGMT_PORT"] = ports.RabbitMqManagement.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Durable PostgreSQL (a loss test on fsync=off would report the server's losses as BenchMesh's), and the node
        // name derived from our port, whatever the caller's environment says.
        start.Environment.Remove("BM_PG_FAST");
        start.Environment.Remove("RABBIT_NODENAME");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{script} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        // Never cancelled: a half-run script would leave a server in an unknown state; each one is bounded (up.sh waits
        // at most two minutes for RabbitMQ).
        await process.WaitForExitAsync(CancellationToken.None);
        var text = await output + await errors;
        await File.AppendAllTextAsync(logPath, $"$ {script} {string.Join(' ', arguments)}\n{text}");
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed ({process.ExitCode}): {text.Trim()}");
        }
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
