using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace BenchMesh.AppHost;

/// <summary>
/// Where the infrastructure is and how resources are named, from configuration (command-line
/// <c>--BenchMesh:...</c>, environment, appsettings). Defaults match deploy/local/env.sh, whose port
/// variables (PG_PORT, RABBIT_PORT, REDIS_PORT) are honoured here too.
/// </summary>
internal sealed record InfrastructureSettings(
    string PostgresServer,
    string DatabasePrefix,
    string RabbitMq,
    string Redis,
    string CacheKeyPrefix,
    int RunnerReplicas,
    int? GatewayPort,
    string InternalToken,
    string? OperatorKeyFile)
{
    public static InfrastructureSettings From(IConfiguration configuration)
    {
        var pgPort = configuration["PG_PORT"] ?? "5432";
        var rabbitPort = configuration["RABBIT_PORT"] ?? "5672";
        var redisPort = configuration["REDIS_PORT"] ?? "6379";
        var section = configuration.GetSection("BenchMesh");
        return new InfrastructureSettings(
            PostgresServer: section["Postgres"] ?? $"Host=127.0.0.1;Port={pgPort};Username=postgres;Password=postgres",
            DatabasePrefix: section["DatabasePrefix"] ?? "benchmesh_",
            RabbitMq: section["RabbitMq"] ?? $"amqp://guest:guest@127.0.0.1:{rabbitPort}",
            Redis: section["Redis"] ?? $"127.0.0.1:{redisPort}",
            CacheKeyPrefix: section["CacheKeyPrefix"] ?? "benchmesh:leaderboard:",
            RunnerReplicas: int.TryParse(section["RunnerReplicas"], out var replicas) && replicas > 0 ? replicas : 2,
            GatewayPort: GatewayPortFrom(section["GatewayPort"] ?? configuration["BENCHMESH_GATEWAY_URL"]),
            InternalToken: section["InternalToken"] is { Length: > 0 } token ? token : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            OperatorKeyFile: section["OperatorKeyFile"] is { Length: > 0 } keyFile ? keyFile : null);
    }

    /// <summary>8080 unless told otherwise; "0" lets the orchestrator pick a free port (tests).</summary>
    private static int? GatewayPortFrom(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return 8080;
        }

        if (int.TryParse(value, out var port))
        {
            return port == 0 ? null : port;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri.Port : 8080;
    }
}

internal static class InfrastructureExtensions
{
    /// <summary>A connection string resource for one service's own database on the shared server.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddDatabase(
        this IDistributedApplicationBuilder builder, InfrastructureSettings settings, string name, string database) =>
        builder.AddFixedConnectionString(name, $"{settings.PostgresServer};Database={settings.DatabasePrefix}{database}");

    /// <summary>A connection string resource with a fixed value (the servers are not Aspire resources here).</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddFixedConnectionString(
        this IDistributedApplicationBuilder builder, string name, string value)
    {
        builder.Configuration[$"ConnectionStrings:{name}"] = value;
        return builder.AddConnectionString(name);
    }
}
