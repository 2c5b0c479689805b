using BenchMesh.Catalog;
using BenchMesh.Messaging;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;
using BenchMesh.Stress.Catalog;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Load;
using BenchMesh.Stress.Runs;

namespace BenchMesh.Stress.Extensions;

public static class Extensions
{
    public const string ServiceName = ResourceNames.Stress;
    public const string LoadHttpClient = "stress-load";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);

        // Agents come only from the Suites catalog: the service never targets an address a caller typed in.
        builder.AddSuiteCatalog();
        builder.Services.AddScoped<IAgentCatalog, SuiteAgentCatalog>();

        // The load client: no retries, no client-side timeout (the runner times each request itself), no
        // connection cap below the requested concurrency.
        builder.Services.AddHttpClient(LoadHttpClient, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = int.MaxValue,
                UseCookies = false,
                AllowAutoRedirect = false,
            });
        builder.Services.AddTransient<ILoadRunner>(sp => new LoadRunner(sp.GetRequiredService<IHttpClientFactory>().CreateClient(LoadHttpClient)));
        builder.Services.AddSingleton<StressRunQueue>();

        // The database first: its migrations run before the worker and the bus start.
        builder.AddBenchMeshDbContext<StressDbContext>(ResourceNames.StressDb, "stress");
        builder.Services.AddSingleton<StressInstance>();
        builder.Services.AddOptions<StressRunOptions>()
            .Bind(builder.Configuration.GetSection(StressRunOptions.Section))
            .Validate(o => o.IsValid, $"{StressRunOptions.Section}: intervals must be positive and StaleAfter at least 3 heartbeats.")
            .ValidateOnStart();
        builder.Services.AddHostedService<StressRunWorker>();
        builder.Services.AddHostedService<StressRunSupervisor>();
        builder.Services.AddOutboxRelay<StressDbContext>();
        builder.AddBenchMeshMessaging(ServiceName);
        return builder;
    }
}
