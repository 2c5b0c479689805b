using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Outbound;

public static class OutboundExtensions
{
    /// <summary>
    /// The <see cref="OutboundGuard"/> with the <c>Outbound</c> section's options and the system resolver (a test
    /// registers its own <see cref="HostResolver"/> first, or replaces it).
    /// </summary>
    public static IHostApplicationBuilder AddOutboundGuard(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<OutboundOptions>(builder.Configuration.GetSection(OutboundOptions.Section));
        builder.Services.TryAddSingleton(OutboundGuard.SystemResolver);
        builder.Services.TryAddSingleton<OutboundGuard>();
        return builder;
    }

    /// <summary>A named HttpClient whose every connection goes through the <see cref="OutboundGuard"/>.</summary>
    public static IHttpClientBuilder AddGuardedHttpClient(this IServiceCollection services, string name, Func<SocketsHttpHandler> handler) =>
        services.AddHttpClient(name)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<OutboundGuard>().Apply(handler()));
}
