using BenchMesh.Gateway;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// Stand-ins for the services behind the gateway, on real sockets. As a class fixture: one per service, each answering
/// with its own name, the path and method it received and every request header, so tests see exactly what the gateway
/// forwarded. Made with <see cref="OneForAllAsync"/>: one service with the routes a test maps, standing in for every
/// service, for tests that care about what the gateway does with an answer (ETags, the dashboard's files) rather than
/// where it routes.
/// </summary>
public sealed class StandInServices : IAsyncLifetime
{
    private readonly Action<WebApplication>? _oneForAll;
    private readonly Dictionary<string, LoopbackServer> _servers = [];

    public StandInServices()
    {
    }

    private StandInServices(Action<WebApplication> map) => _oneForAll = map;

    /// <summary>service name → base address.</summary>
    public IReadOnlyDictionary<string, string> Addresses => _servers.ToDictionary(kv => kv.Key, kv => kv.Value.Address);

    /// <summary>Starts one service that answers what <paramref name="map"/> maps (nothing else: 404) for every service.</summary>
    public static async Task<StandInServices> OneForAllAsync(Action<WebApplication> map)
    {
        var services = new StandInServices(map);
        await services.InitializeAsync();
        return services;
    }

    public async Task InitializeAsync()
    {
        if (_oneForAll is { } map)
        {
            var server = await LoopbackServer.StartAsync(map);
            foreach (var name in GatewayRoutes.PathsByService.Keys)
            {
                _servers[name] = server;
            }

            return;
        }

        foreach (var name in GatewayRoutes.PathsByService.Keys)
        {
            _servers[name] = await LoopbackServer.StartAsync(app => app.Run(context => context.Response.WriteAsJsonAsync(new
            {
                service = name,
                received = context.Request.Path + context.Request.QueryString,
                method = context.Request.Method,
                headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            })));
        }
    }

    /// <summary>A gateway in front of these services, on a new database named after <paramref name="purpose"/>.</summary>
    public GatewayApp CreateGateway(Infrastructure infrastructure, string purpose, string? dashboardPath = null) =>
        new(infrastructure.CreateDatabase(purpose), Addresses, dashboardPath: dashboardPath);

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values.Distinct())
        {
            await server.DisposeAsync();
        }
    }
}
