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
    private readonly IReadOnlyDictionary<string, string> _settings;

    private RunnerHost(string database, string rabbitMq, IReadOnlyDictionary<string, string>? settings)
    {
        _database = database;
        _rabbitMq = rabbitMq;
        _settings = settings ?? new Dictionary<string, string>();
    }

    public FakeSuiteCatalog Catalog { get; } = new();

    /// <summary>What the host's consumers have handled.</summary>
    public ConsumedMessages Consumed { get; } = new();

    public string RabbitMqUri => _rabbitMq;

    /// <param name="settings">Configuration of this host, e.g. <c>Runner:ProcessAgents:Enabled</c>.</param>
    public static async Task<RunnerHost> StartAsync(Infrastructure infrastructure, string purpose, IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = new RunnerHost(infrastructure.CreateDatabase(purpose), await infrastructure.CreateVirtualHostAsync(purpose), settings);
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
