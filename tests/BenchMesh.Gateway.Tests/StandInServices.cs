using BenchMesh.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// Stand-ins for the services behind the gateway, one real socket each, that answer with their own name, the path and
/// method they received and every request header, so tests see exactly what the gateway forwarded.
/// </summary>
public sealed class StandInServices : IAsyncLifetime
{
    private readonly Dictionary<string, WebApplication> _services = [];

    /// <summary>service name → base address.</summary>
    public IReadOnlyDictionary<string, string> Addresses => _services.ToDictionary(kv => kv.Key, kv => Address(kv.Value));

    public async Task InitializeAsync()
    {
        foreach (var name in GatewayRoutes.PathsByService.Keys)
        {
            _services[name] = await StartAsync(name);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _services.Values)
        {
            await app.DisposeAsync();
        }
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static async Task<WebApplication> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsJsonAsync(new
        {
            service = name,
            received = context.Request.Path + context.Request.QueryString,
            method = context.Request.Method,
            headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
        }));
        await app.StartAsync();
        return app;
    }
}
