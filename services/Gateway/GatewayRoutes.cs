using BenchMesh.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace BenchMesh.Gateway;

/// <summary>
/// The public API surface: which service answers which public route (DESIGN.md, "Public API").
/// Destinations come from the addresses the app host injects (<c>services:{name}:http:0</c>).
/// </summary>
public static class GatewayRoutes
{
    /// <summary>The services behind the gateway, each with the public paths it owns.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> PathsByService = new Dictionary<string, string[]>
    {
        [ResourceNames.Suites] = ["/agents", "/agents/{**rest}", "/suites", "/suites/{**rest}"],
        [ResourceNames.Runner] =
        [
            "/benchmarks/run", "/benchmarks/runs", "/benchmarks/runs/{**rest}",
            "/benchmarks/schedules", "/benchmarks/schedules/{**rest}", "/benchmarks/coverage",
        ],
        [ResourceNames.Scoring] =
        [
            "/benchmarks/agents/{agent_id}/results", "/benchmarks/executions/{execution_id}/profile",
            "/benchmarks/agents/{agent_id}/cost-analysis", "/benchmarks/cost-frontier",
        ],
        [ResourceNames.Regression] = ["/benchmarks/agents/{agent_id}/regressions"],
        [ResourceNames.Leaderboard] = ["/benchmarks/leaderboard", "/benchmarks/compare", "/benchmarks/comparison-matrix"],
        [ResourceNames.Stress] = ["/stress/runs", "/stress/runs/{**rest}"],
    };

    /// <summary>A synchronous run may wait up to RunLimits.MaxTimeoutSeconds; the proxy must wait longer.</summary>
    private static readonly TimeSpan ActivityTimeout = TimeSpan.FromMinutes(11);

    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(IConfiguration configuration)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig>();
        foreach (var (service, paths) in PathsByService)
        {
            for (var i = 0; i < paths.Length; i++)
            {
                routes.Add(new RouteConfig
                {
                    RouteId = $"{service}-{i}",
                    ClusterId = service,
                    Match = new RouteMatch { Path = paths[i] },
                });
            }

            // Each service's OpenAPI document, renamed for the gateway: /openapi/{service}.json.
            routes.Add(new RouteConfig
            {
                RouteId = $"{service}-openapi",
                ClusterId = service,
                Match = new RouteMatch { Path = $"/openapi/{service}.json" },
                Transforms = [new Dictionary<string, string> { ["PathSet"] = "/openapi/v1.json" }],
            });

            clusters.Add(new ClusterConfig
            {
                ClusterId = service,
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = ActivityTimeout },
                Destinations = new Dictionary<string, DestinationConfig>
                {
                    ["primary"] = new() { Address = AddressOf(configuration, service) },
                },
            });
        }

        return (routes, clusters);
    }

    private static string AddressOf(IConfiguration configuration, string service) =>
        configuration[$"services:{service}:http:0"]
        ?? throw new InvalidOperationException(
            $"No address for '{service}': set services:{service}:http:0 (the app host does this).");
}

public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddPublicApiProxy(this IHostApplicationBuilder builder)
    {
        var (routes, clusters) = GatewayRoutes.Build(builder.Configuration);
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        return builder;
    }

    /// <summary><c>GET /api</c>: what this gateway serves, for people exploring the API (<c>/</c> is the dashboard).</summary>
    public static WebApplication MapGatewayIndex(this WebApplication app)
    {
        app.MapGet("/api", () => TypedResults.Ok(new
        {
            Name = "BenchMesh",
            Documentation = "docs/api.md",
            Openapi = GatewayRoutes.PathsByService.Keys.Select(s => $"/openapi/{s}.json").ToArray(),
            Routes = GatewayRoutes.PathsByService.ToDictionary(kv => kv.Key, kv => kv.Value),
        }));
        return app;
    }
}
