using BenchMesh.Gateway;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// One stand-in service on a real socket, with the routes a test maps, standing in for every service behind the
/// gateway; and a gateway in front of it on a database of its own. Tests that care about what the gateway does with
/// an answer (ETags, the dashboard's files) rather than where it routes use it; <see cref="StandInServices"/> is the
/// one-per-service kind.
/// </summary>
public sealed class StandInService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StandInService(WebApplication app) => _app = app;

    /// <summary>The service's base address (http://127.0.0.1:port).</summary>
    public string Address => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>Starts a service that answers what <paramref name="map"/> maps (nothing else: 404).</summary>
    public static async Task<StandInService> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new StandInService(app);
    }

    /// <summary>A gateway that sends every service's routes here, on a new database named after <paramref name="purpose"/>.</summary>
    public GatewayApp CreateGateway(Infrastructure infrastructure, string purpose, string? dashboardPath = null) =>
        new(infrastructure.CreateDatabase(purpose), GatewayRoutes.PathsByService.Keys.ToDictionary(name => name, _ => Address),
            dashboardPath: dashboardPath);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
