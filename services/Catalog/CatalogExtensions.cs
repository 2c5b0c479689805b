using BenchMesh.Contracts.Grpc.Suites;
using BenchMesh.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Catalog;

public static class CatalogExtensions
{
    /// <summary>Where Suites serves gRPC when no app host says otherwise (its appsettings.json).</summary>
    public const string DefaultSuitesGrpcAddress = "http://127.0.0.1:5102";

    /// <summary>The configuration key the Aspire app host fills with Suites' gRPC endpoint (h2c).</summary>
    public const string SuitesGrpcAddressKey = $"services:{ResourceNames.Suites}:{ResourceNames.GrpcEndpoint}:0";

    /// <summary>
    /// Registers <see cref="ISuiteCatalog"/> over Suites' gRPC catalog at <c>services:suites:grpc:0</c>.
    /// Tests replace <see cref="ISuiteCatalog"/> with their own.
    /// </summary>
    public static IHostApplicationBuilder AddSuiteCatalog(this IHostApplicationBuilder builder)
    {
        var address = builder.Configuration[SuitesGrpcAddressKey];
        builder.Services.AddGrpcClient<SuiteCatalog.SuiteCatalogClient>(o =>
            o.Address = new Uri(string.IsNullOrWhiteSpace(address) ? DefaultSuitesGrpcAddress : address));
        builder.Services.AddScoped<ISuiteCatalog, GrpcSuiteCatalog>();
        return builder;
    }
}
