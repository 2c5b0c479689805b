using BenchMesh.Leaderboard.Caching;
using BenchMesh.Leaderboard.Consumers;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Ranking;
using BenchMesh.Leaderboard.Views;
using BenchMesh.Messaging;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BenchMesh.Leaderboard.Extensions;

public static class ApplicationServiceExtensions
{
    public const string ServiceName = ResourceNames.Leaderboard;

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<LeaderboardCacheOptions>(builder.Configuration.GetSection(LeaderboardCacheOptions.Section));
        builder.AddRedis();
        builder.Services.AddSingleton(sp => new LeaderboardCache(
            sp.GetService<IConnectionMultiplexer>(), // null when no Redis is configured: no caching
            sp.GetRequiredService<IOptions<LeaderboardCacheOptions>>(),
            sp.GetRequiredService<ILogger<LeaderboardCache>>()));
        builder.Services.AddSingleton<AgentComparer>();

        // The database first: its migrations must have run before the consumer takes messages.
        builder.AddBenchMeshDbContext<LeaderboardDbContext>(ResourceNames.LeaderboardDb, "benchmesh_leaderboard");

        // After the database: hosted services start in order, and the first refresh needs the migrated views.
        builder.Services.Configure<ViewRefreshOptions>(builder.Configuration.GetSection(ViewRefreshOptions.Section));
        builder.Services.AddSingleton<ViewRefresher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ViewRefresher>());
        builder.AddBenchMeshMessaging(ServiceName, x => x.AddConsumer<ExecutionScoredConsumer>());
        return builder;
    }

    /// <summary>
    /// Redis from <c>ConnectionStrings:redis</c>, when configured. It need not be up at start: the multiplexer keeps
    /// reconnecting, and short timeouts keep a dead Redis from slowing requests that then fall back to PostgreSQL.
    /// </summary>
    private static void AddRedis(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.Redis);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(connectionString);
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = 2000;
            options.SyncTimeout = 1000;
            options.AsyncTimeout = 1000;
            return ConnectionMultiplexer.Connect(options);
        });
    }
}
