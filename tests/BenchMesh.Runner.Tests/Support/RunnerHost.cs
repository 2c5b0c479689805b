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
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private RunnerHost(string database, string rabbitMq, Action<IServiceCollection>? configureServices, IReadOnlyDictionary<string, string?>? settings)
    {
        _database = database;
        _rabbitMq = rabbitMq;
        _configureServices = configureServices;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public FakeSuiteCatalog Catalog { get; } = new();

    /// <summary>What the host's consumers have handled.</summary>
    public ConsumedMessages Consumed { get; } = new();

    public string RabbitMqUri => _rabbitMq;

    /// <param name="configureServices">More test services, e.g. an agent client for a protocol of the test's own.</param>
    /// <param name="settings">Configuration of the test's own (e.g. the supervisor's limits).</param>
    /// <param name="database">The runner's database when not one on the shared server (a private server the test stops).</param>
    public static async Task<RunnerHost> StartAsync(
        Infrastructure infrastructure, string purpose, Action<IServiceCollection>? configureServices = null,
        IReadOnlyDictionary<string, string?>? settings = null, string? database = null)
    {
        var host = new RunnerHost(
            database ?? infrastructure.CreateDatabase(purpose), await infrastructure.CreateVirtualHostAsync(purpose), configureServices, settings);
        _ = host.Server; // starts the host: migrations, outbox relay, bus
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting($"ConnectionStrings:{ResourceNames.RunnerDb}", _database);
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

    /// <summary>Counts rows of a runner table directly in PostgreSQL.</summary>
    public async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM runner.{table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
