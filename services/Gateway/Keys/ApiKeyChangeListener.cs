using BenchMesh.Gateway.Data;
using BenchMesh.ServiceDefaults;
using Npgsql;

namespace BenchMesh.Gateway.Keys;

/// <summary>
/// Keeps one dedicated connection per gateway replica LISTENing on <see cref="Channel"/> and evicts each notified key
/// from <see cref="ApiKeyCache"/>. A trigger on <c>gateway.api_keys</c> (migration <c>ApiKeyChangeNotifications</c>)
/// sends the key's id on every update or deletion of its row, in the changing transaction, so PostgreSQL delivers it
/// only on commit, and whatever made the change (the admin API, the operator key bootstrap, an operator in psql) is
/// covered. While the connection is not established the cache is not trusted (it is emptied and every request reads
/// PostgreSQL); after each (re)connection it is emptied again before it is trusted, since notifications sent meanwhile
/// are lost.
/// </summary>
public sealed class ApiKeyChangeListener(
    ApiKeyCache cache, IConfiguration configuration, TimeProvider clock, ILogger<ApiKeyChangeListener> logger) : BackgroundService
{
    /// <summary>The channel the trigger notifies; its payload is the changed key's id (empty: every key, after a TRUNCATE).</summary>
    public const string Channel = "benchmesh_api_key_changes";

    /// <summary>The listening connection's <c>application_name</c>, which names it in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "benchmesh-gateway-key-listener";

    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An idle LISTEN connection whose server vanished without closing it (a network partition) would otherwise look
    /// connected for as long as TCP takes to notice. The kernel's TCP keepalive probes it after this many idle seconds,
    /// then every <see cref="KeepAliveProbeSeconds"/>, and fails the wait once the probes go unanswered (Linux sends 9 by
    /// default, <c>net.ipv4.tcp_keepalive_probes</c>: about 14 s after the last traffic), so the cache stops being trusted.
    /// Not Npgsql's own <c>Keepalive</c>: that times the wait out every period, and Npgsql implements the timeout by
    /// throwing and catching (an OperationCanceledException and four rethrows of an NpgsqlException wrapping a
    /// TimeoutException every 5 s: the one exception a second the gateway counted, docs/gateway.md) before it sends
    /// its <c>SELECT NULL</c>.
    /// </summary>
    private const int KeepAliveSeconds = 5;

    private const int KeepAliveProbeSeconds = 1;

    /// <summary>The listening connection's settings: its own physical connection, named, with TCP keepalive.</summary>
    private static string ConnectionStringFor(IConfiguration configuration) => new NpgsqlConnectionStringBuilder(
        configuration.GetPostgresConnectionString(ResourceNames.GatewayDb, GatewayDbContext.DefaultDatabase))
    {
        ApplicationName = ApplicationName,
        KeepAlive = 0,
        TcpKeepAlive = true,
        TcpKeepAliveTime = KeepAliveSeconds,
        TcpKeepAliveInterval = KeepAliveProbeSeconds,
        // Its own physical connection, never returned to a pool: a LISTEN belongs to the session that issued it.
        Pooling = false,
    }.ConnectionString;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cache.Enabled)
        {
            return;
        }

        var connectionString = ConnectionStringFor(configuration);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, notification) =>
                {
                    if (notification.Payload.Length == 0)
                    {
                        cache.EmptyAll();
                    }
                    else
                    {
                        cache.Evict(notification.Payload);
                    }
                };
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                cache.StartTrusting();
                logger.LogInformation("Listening for API key changes: keys are cached for up to {MaxAge}", cache.MaxAge);
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Any failure (PostgreSQL down, the backend terminated, a broken socket) means the same: reconnect.
                logger.LogWarning(e, "The API key change listener lost its connection; keys are read from PostgreSQL on every request until it is back");
            }
            finally
            {
                // Before anything else: from here until the next LISTEN, notifications are lost.
                cache.StopTrusting();
            }

            try
            {
                await Task.Delay(ReconnectDelay, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
