using BenchMesh.Catalog;
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
    private readonly IReadOnlyDictionary<string, string> _settings;

    private RunnerHost(
        string database, string rabbitMq, Action<IServiceCollection>? configureServices,
        FakeSuiteCatalog? catalog = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        _database = database;
        _rabbitMq = rabbitMq;
        _configureServices = configureServices;
        Catalog = catalog ?? new FakeSuiteCatalog();
        _settings = settings ?? new Dictionary<string, string>();
    }

    public FakeSuiteCatalog Catalog { get; }

    public string Database => _database;

    /// <summary>What the host's consumers have handled.</summary>
    public ConsumedMessages Consumed { get; } = new();

    public string RabbitMqUri => _rabbitMq;

    /// <param name="configureServices">More test services, e.g. an agent client for a protocol of the test's own.</param>
    /// <param name="allowLoopback">
    /// <c>Outbound:AllowLoopback</c>: on, since the test agents listen on loopback, which the outbound guard refuses unless allowed.
    /// </param>
    public static async Task<RunnerHost> StartAsync(
        Infrastructure infrastructure, string purpose, Action<IServiceCollection>? configureServices = null, bool allowLoopback = true)
    {
        var host = new RunnerHost(
            infrastructure.CreateDatabase(purpose), await infrastructure.CreateVirtualHostAsync(purpose), configureServices,
            settings: new Dictionary<string, string> { ["Outbound:AllowLoopback"] = allowLoopback ? "true" : "false" });
        _ = host.Server; // starts the host: migrations, outbox relay, bus
        return host;
    }

    /// <summary>
    /// One replica of a scaled-out Runner: the given database and virtual host (shared with the other replicas), the
    /// shared test catalog, and its own Quartz instance id (a cluster tells its members apart by it).
    /// </summary>
    public static RunnerHost StartReplica(string database, string rabbitMq, FakeSuiteCatalog catalog, string instanceId)
    {
        var host = new RunnerHost(database, rabbitMq, null, catalog, new Dictionary<string, string>
        {
            ["Quartz:Scheduler:InstanceId"] = instanceId,
            // Tests fire every second rather than wait for months.
            ["Runner:Schedules:MinimumIntervalSeconds"] = "1",
            ["Outbound:AllowLoopback"] = "true",
        });
        _ = host.Server;
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting($"ConnectionStrings:{ResourceNames.RunnerDb}", _database);
        builder.UseSetting($"ConnectionStrings:{ResourceNames.RabbitMq}", _rabbitMq);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ISuiteCatalog>(Catalog);
            services.AddConsumeObserver(_ => Consumed);
            _configureServices?.Invoke(services);
        });
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
