using BenchMesh.Catalog;
using BenchMesh.Credentials;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>The Runner service on its own database and RabbitMQ virtual host, with a test catalog.</summary>
public sealed class RunnerHost : WebApplicationFactory<RunnerOptions>
{
    private readonly string _database;
    private readonly string _rabbitMq;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private KeyRingHost? _keyRing;

    private RunnerHost(
        string database, string rabbitMq, Action<IServiceCollection>? configureServices,
        IReadOnlyDictionary<string, string?>? settings, FakeSuiteCatalog? catalog = null)
    {
        _database = database;
        _rabbitMq = rabbitMq;
        _configureServices = configureServices;
        Catalog = catalog ?? new FakeSuiteCatalog();
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public FakeSuiteCatalog Catalog { get; }

    public string Database => _database;

    /// <summary>What the host's consumers have handled.</summary>
    public ConsumedMessages Consumed { get; } = new();

    public string RabbitMqUri => _rabbitMq;

    /// <param name="configureServices">More test services, e.g. an agent client for a protocol of the test's own.</param>
    /// <param name="settings">Configuration of the test's own (e.g. the supervisor's limits).</param>
    /// <param name="database">The runner's database when not one on the shared server (a private server the test stops).</param>
    /// <param name="allowLoopback">
    /// <c>Outbound:AllowLoopback</c>: on, since the test agents listen on loopback, which the outbound guard refuses unless allowed.
    /// </param>
    public static async Task<RunnerHost> StartAsync(
        Infrastructure infrastructure, string purpose, Action<IServiceCollection>? configureServices = null,
        IReadOnlyDictionary<string, string?>? settings = null, string? database = null, bool allowLoopback = true)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Outbound:AllowLoopback"] = allowLoopback ? "true" : "false",
        };
        var host = new RunnerHost(
            database ?? infrastructure.CreateDatabase(purpose), await infrastructure.CreateVirtualHostAsync(purpose), configureServices, all);
        _ = host.Server; // starts the host: migrations, outbox relay, bus
        // The test catalog encrypts the agents' credentials as Suites does, with a key ring of its own making on the runner's.
        host._keyRing = await KeyRingHost.StartAsync(host._database, KeyRingAccess.ManagesKeys);
        host.Catalog.KeyRing = host._keyRing;
        return host;
    }

    /// <summary>
    /// One replica of a scaled-out Runner: the given database and virtual host (shared with the other replicas), the
    /// shared test catalog, and its own Quartz instance id (a cluster tells its members apart by it).
    /// </summary>
    public static RunnerHost StartReplica(string database, string rabbitMq, FakeSuiteCatalog catalog, string instanceId)
    {
        var host = new RunnerHost(database, rabbitMq, null, new Dictionary<string, string?>
        {
            ["Quartz:Scheduler:InstanceId"] = instanceId,
            // Tests fire every second rather than wait for months.
            ["Runner:Schedules:MinimumIntervalSeconds"] = "1",
            ["Outbound:AllowLoopback"] = "true",
        }, catalog);
        _ = host.Server;
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting($"ConnectionStrings:{ResourceNames.RunnerDb}", _database);
        // The key ring in the runner's database (its own schema, keys), shared by the replicas and the test catalog.
        builder.UseSetting($"ConnectionStrings:{ResourceNames.KeysDb}", _database);
        builder.UseSetting($"ConnectionStrings:{ResourceNames.RabbitMq}", _rabbitMq);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ISuiteCatalog>(Catalog);
            services.AddConsumeObserver(_ => Consumed);
            _configureServices?.Invoke(services);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_keyRing is not null)
        {
            await _keyRing.DisposeAsync();
        }
    }

    /// <summary>Counts rows of a runner table directly in PostgreSQL.</summary>
    public async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM runner.{table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
