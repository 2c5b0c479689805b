using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>A misbehaving agent on a real socket: slow, failing, garbage, or echoing what it was sent.</summary>
public sealed class StubAgentServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubAgentServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public static async Task<StubAgentServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // This folder's appsettings.json may be SampleAgents' (both web projects copy theirs here), whose fixed
        // Kestrel endpoint would win over UseUrls: a stub reads no configuration files at all.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();

        app.MapPost("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
            return Results.Text("""{"output":"late"}""", "application/json");
        });
        app.MapPost("/fail", () => Results.Text("""{"error":"boom"}""", "application/json", statusCode: 500));
        app.MapPost("/garbage", () => Results.Text("<html>this is not json</html>", "application/json"));
        app.MapPost("/garbage/v1/chat/completions", () => Results.Text("data: {not json}\n\n", "text/event-stream"));
        app.MapPost("/no-usage", () => Results.Text("""{"output":"The answer is forty two"}""", "application/json"));
        app.MapPost("/echo-auth", (HttpRequest request) =>
            Results.Json(new { output = request.Headers.Authorization.ToString(), usage = new { input_tokens = 1, output_tokens = 1 } }));
        app.MapPost("/json/v1/chat/completions", () => Results.Text(
            """{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"plain json"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "application/json"));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new StubAgentServer(app, address.TrimEnd('/'));
    }

    /// <summary>A loopback URL on which nothing listens (connection refused).</summary>
    public static string RefusingUrl() => $"http://127.0.0.1:{FreePort()}";

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
