using BenchMesh.Catalog;
using BenchMesh.Messaging;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Scoring.Consumers;
using BenchMesh.Scoring.Data;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.Scoring.Extensions;

public static class ApplicationServiceExtensions
{
    public const string ServiceName = ResourceNames.Scoring;

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        // Suites tells an agent without results from an id it never registered.
        builder.AddSuiteCatalog();

        // The database first: its migrations must have run before the consumer takes messages.
        builder.AddBenchMeshDbContext<ScoringDbContext>(ResourceNames.ScoringDb, "benchmesh_scoring");
        builder.Services.AddOutboxRelay<ScoringDbContext>();
        builder.AddBenchMeshMessaging(ServiceName, x => x.AddConsumer<BenchmarkExecutedConsumer>());
        return builder;
    }
}
