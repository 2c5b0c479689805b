using BenchMesh.Credentials;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults;
using BenchMesh.Suites.Data;
using BenchMesh.Suites.Grpc;

namespace BenchMesh.Suites.Extensions;

public static class SuitesServiceExtensions
{
    /// <summary>The database (migrated at start), the credentials' key ring, OpenAPI and gRPC (internal token checked).</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddBenchMeshDbContext<SuitesDbContext>(ResourceNames.SuitesDb, "benchmesh_suites");
        builder.Services.AddSingleton(TimeProvider.System);

        // Suites encrypts agent credentials, so it creates and rotates the keys; registered after the database, so that
        // the plain-text credentials of older rows are encrypted on a migrated schema.
        builder.AddAgentCredentials(KeyRingAccess.ManagesKeys);
        builder.Services.AddHostedService<PlaintextApiKeyEncryption>();

        builder.Services.AddOpenApi();
        builder.Services.AddGrpc(o => o.Interceptors.Add<InternalTokenInterceptor>());
        return builder;
    }
}
