// The bare YARP anchor of gateway-benchmark.sh: every request forwarded to one upstream, as the gateway's proxy does
// (HTTP/1.1 over a keep-alive pool, the answer streamed back), with nothing else in the pipeline.
//   BareProxy__Upstream=http://127.0.0.1:PORT ASPNETCORE_URLS=http://127.0.0.1:PORT dotnet BenchMesh.Gateway.BareProxy.dll
using Yarp.ReverseProxy.Configuration;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var upstream = builder.Configuration["BareProxy:Upstream"]
    ?? throw new InvalidOperationException("BareProxy:Upstream (the service's address) is required.");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = upstream } } }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
