using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;
using Testcontainers.Redis;
using Xunit;

namespace BenchMesh.Testing;

/// <summary>
/// The real servers the tests run against. By default the ones named by environment variables, which
/// ./test.sh sets after starting them from Debian's packages (deploy/local/up.sh):
/// <c>BENCHMESH_TEST_POSTGRES</c> (a connection string without a database), <c>BENCHMESH_TEST_RABBITMQ</c>
/// (<c>amqp://user:pass@host:port</c>), <c>BENCHMESH_TEST_RABBITMQ_MANAGEMENT</c> (<c>http://host:port</c>) and
/// <c>BENCHMESH_TEST_REDIS</c> (<c>host:port</c>). Where none is named and a Docker engine answers,
/// Testcontainers starts them instead.
///
/// Every test gets its own databases (<see cref="CreateDatabase"/>), RabbitMQ virtual host
/// (<see cref="CreateVirtualHostAsync"/>) and Redis key prefix, all carrying this run's id, and drops
/// them at the end, so nothing leaks between tests or runs.
/// </summary>
public sealed class Infrastructure : IAsyncLifetime
{
    // Only numbers the databases: DisposeAsync finds them (and an app host's) by this run's name prefix.
    private int _databaseCount;
    private readonly List<string> _vhosts = [];
    private PostgreSqlContainer? _pgContainer;
    private RabbitMqContainer? _rabbitContainer;
    private RedisContainer? _redisContainer;
    private HttpClient? _management;

    /// <summary>A short id unique to this test process; every name this fixture makes carries it.</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..10];

    public string PostgresServer { get; private set; } = "";
    public string RabbitMqUri { get; private set; } = "";
    public string RabbitMqManagement { get; private set; } = "";
    public string Redis { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var pg = Environment.GetEnvironmentVariable("BENCHMESH_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("BENCHMESH_TEST_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("BENCHMESH_TEST_RABBITMQ_MANAGEMENT");
        var redis = Environment.GetEnvironmentVariable("BENCHMESH_TEST_REDIS");

        if (string.IsNullOrEmpty(pg) && string.IsNullOrEmpty(rabbit) && string.IsNullOrEmpty(redis))
        {
            if (!DockerAvailable())
            {
                throw new InvalidOperationException(
                    "No test servers named (BENCHMESH_TEST_POSTGRES, BENCHMESH_TEST_RABBITMQ, BENCHMESH_TEST_REDIS) and no Docker " +
                    "engine: run the tests with ./test.sh, which starts PostgreSQL, RabbitMQ and Redis on loopback.");
            }

            _pgContainer = new PostgreSqlBuilder("postgres:15").Build();
            _rabbitContainer = new RabbitMqBuilder("rabbitmq:3.13-management").WithPortBinding(15672, true).Build();
            _redisContainer = new RedisBuilder("redis:7").Build();
            await Task.WhenAll(_pgContainer.StartAsync(), _rabbitContainer.StartAsync(), _redisContainer.StartAsync());
            var pgBuilder = new NpgsqlConnectionStringBuilder(_pgContainer.GetConnectionString()) { Database = null };
            pg = pgBuilder.ConnectionString;
            rabbit = _rabbitContainer.GetConnectionString();
            management = $"http://{_rabbitContainer.Hostname}:{_rabbitContainer.GetMappedPublicPort(15672)}";
            redis = _redisContainer.GetConnectionString();
        }

        PostgresServer = pg ?? throw new InvalidOperationException("BENCHMESH_TEST_POSTGRES is not set.");
        RabbitMqUri = (rabbit ?? throw new InvalidOperationException("BENCHMESH_TEST_RABBITMQ is not set.")).TrimEnd('/');
        RabbitMqManagement = (management ?? throw new InvalidOperationException("BENCHMESH_TEST_RABBITMQ_MANAGEMENT is not set.")).TrimEnd('/');
        Redis = redis ?? throw new InvalidOperationException("BENCHMESH_TEST_REDIS is not set.");

        var credentials = new Uri(RabbitMqUri).UserInfo;
        _management = new HttpClient { BaseAddress = new Uri(RabbitMqManagement + "/") };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(credentials))));
    }

    /// <summary>A connection string to a new, empty database name (the service's migrations create it).</summary>
    public string CreateDatabase(string purpose)
    {
        var number = Interlocked.Increment(ref _databaseCount) - 1;
        var name = $"bmt_{RunId}_{purpose}_{number}".ToLowerInvariant();
        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
    }

    /// <summary>A fresh RabbitMQ virtual host; returns the amqp URI that selects it.</summary>
    public async Task<string> CreateVirtualHostAsync(string purpose)
    {
        string name;
        lock (_vhosts)
        {
            name = $"bmt-{RunId}-{purpose}-{_vhosts.Count}";
            _vhosts.Add(name);
        }

        var escaped = Uri.EscapeDataString(name);
        using (var put = await _management!.PutAsync($"api/vhosts/{escaped}", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }

        var user = Uri.UnescapeDataString(new Uri(RabbitMqUri).UserInfo.Split(':')[0]);
        using (var perm = await _management.PutAsync(
                   $"api/permissions/{escaped}/{Uri.EscapeDataString(user)}",
                   new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json")))
        {
            perm.EnsureSuccessStatusCode();
        }

        return $"{RabbitMqUri}/{escaped}";
    }

    /// <summary>A database-name prefix for a whole app host (its services append their own names).</summary>
    public string DatabasePrefix(string purpose) => $"bmt_{RunId}_{purpose}_".ToLowerInvariant();

    /// <summary>A Redis key prefix no other test uses.</summary>
    public string CreateRedisPrefix(string purpose) => $"bmt:{RunId}:{purpose}:{Guid.NewGuid():N}:";

    public async Task DisposeAsync()
    {
        if (_management is not null)
        {
            foreach (var vhost in _vhosts)
            {
                try
                {
                    using var _ = await _management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}");
                }
                catch (HttpRequestException)
                {
                    // The broker may already be gone at the end of a run; the vhost goes with it.
                }
            }

            _management.Dispose();
        }

        if (!string.IsNullOrEmpty(PostgresServer))
        {
            try
            {
                await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresServer) { Database = "postgres" }.ConnectionString);
                await conn.OpenAsync();
                // Every database this run made, including those an app host made from DatabasePrefix().
                var names = new List<string>();
                await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE @p", conn))
                {
                    list.Parameters.AddWithValue("p", $"bmt\\_{RunId}\\_%");
                    await using var reader = await list.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        names.Add(reader.GetString(0));
                    }
                }

                foreach (var db in names)
                {
                    await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)", conn);
                    await cmd.ExecuteNonQueryAsync();
                }
            }
            catch (NpgsqlException)
            {
                // Best effort: ./test.sh also drops every bmt_ database left by a crashed run.
            }
        }

        if (_pgContainer is not null) await _pgContainer.DisposeAsync();
        if (_rabbitContainer is not null) await _rabbitContainer.DisposeAsync();
        if (_redisContainer is not null) await _redisContainer.DisposeAsync();
    }

    private static bool DockerAvailable() =>
        File.Exists("/var/run/docker.sock") || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST"));
}
