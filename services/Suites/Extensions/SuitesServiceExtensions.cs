using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;
using BenchMesh.Suites.Data;

namespace BenchMesh.Suites.Extensions;

public static class SuitesServiceExtensions
{
    /// <summary>The database (migrated at start), OpenAPI and gRPC.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddBenchMeshDbContext<SuitesDbContext>(ResourceNames.SuitesDb, "benchmesh_suites");
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOpenApi();
        builder.Services.AddGrpc();
        return builder;
    }
}
