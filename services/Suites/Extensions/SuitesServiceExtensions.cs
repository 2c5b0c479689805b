using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;
using BenchMesh.Suites.Data;
using Microsoft.AspNetCore.Routing;

namespace BenchMesh.Suites.Extensions;

public static class SuitesServiceExtensions
{
    /// <summary>The database (migrated at start), the REST API's JSON error handling, OpenAPI and gRPC.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddBenchMeshDbContext<SuitesDbContext>(ResourceNames.SuitesDb, "benchmesh_suites");
        builder.Services.AddSingleton(TimeProvider.System);

        // Binding failures (malformed JSON) throw in every environment, so the exception handler answers them
        // with ProblemDetails instead of an empty 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<MalformedJsonExceptionHandler>();

        builder.Services.AddOpenApi();
        builder.Services.AddGrpc();
        return builder;
    }
}
