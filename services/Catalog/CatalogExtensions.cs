using BenchMesh.Contracts.Grpc.Suites;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Grpc.Core;
using Grpc.Net.Client.Configuration;
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
    /// <para>
    /// A call refused with UNAVAILABLE (Suites restarting, no connection) is retried by the gRPC client itself, within the
    /// call's deadline (<see cref="GrpcSuiteCatalog.CallTimeout"/>); reads are lookups by id, safe to repeat. A longer
    /// outage surfaces as <see cref="SuiteCatalogUnavailableException"/>: a 503 for an API caller, and a transient failure
    /// that the bus and the runner wait out for minutes in consumers.
    /// </para>
    /// <para>
    /// When <c>BenchMesh:InternalToken</c> is configured, every call carries it (<see cref="InternalTokenClientInterceptor"/>):
    /// Suites refuses catalog calls without it.
    /// </para>
    /// </summary>
    public static IHostApplicationBuilder AddSuiteCatalog(this IHostApplicationBuilder builder)
    {
        var address = builder.Configuration[SuitesGrpcAddressKey];
        var internalToken = builder.Configuration[CallerEndpointExtensions.InternalTokenKey];
        var client = builder.Services.AddGrpcClient<SuiteCatalog.SuiteCatalogClient>(o =>
            {
                o.Address = new Uri(string.IsNullOrWhiteSpace(address) ? DefaultSuitesGrpcAddress : address);
                o.ChannelOptionsActions.Add(channel => channel.ServiceConfig = new ServiceConfig
                {
                    MethodConfigs =
                    {
                        new MethodConfig
                        {
                            Names = { MethodName.Default },
                            RetryPolicy = new RetryPolicy
                            {
                                MaxAttempts = 5,
                                InitialBackoff = TimeSpan.FromMilliseconds(250),
                                MaxBackoff = TimeSpan.FromSeconds(3),
                                BackoffMultiplier = 2,
                                RetryableStatusCodes = { StatusCode.Unavailable },
                            },
                        },
                    },
                });
            });
        if (!string.IsNullOrEmpty(internalToken))
        {
            client.AddInterceptor(() => new InternalTokenClientInterceptor(internalToken));
        }

        builder.Services.AddScoped<ISuiteCatalog, GrpcSuiteCatalog>();
        return builder;
    }
}
