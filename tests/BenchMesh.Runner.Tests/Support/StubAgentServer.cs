using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>A misbehaving agent on a real socket: slow, failing, garbage, or echoing what it was sent.</summary>
public sealed class StubAgentServer : IAsyncDisposable
{
    private readonly LoopbackServer _server;

    private StubAgentServer(LoopbackServer server) => _server = server;

    public string BaseUrl => _server.Address;

    public static async Task<StubAgentServer> StartAsync() => new(await LoopbackServer.StartAsync(Map));

    private static void Map(WebApplication app)
    {
        app.MapPost("/slow", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
            return Results.Text("""{"output":"late"}""", "application/json");
        });
        app.MapPost("/fail", () => Results.Text("""{"error":"boom"}""", "application/json", statusCode: 500));
        app.MapPost("/garbage", () => Results.Text("<html>this is not json</html>", "application/json"));
        app.MapPost("/garbage/v1/chat/completions", () => Results.Text("data: {not json}\n\n", "text/event-stream"));
        app.MapPost("/no-usage", () => Results.Text("""{"output":"The answer is forty two"}""", "application/json"));
        // Answers as the socket path parses them from their bytes and HttpClient's path from a stream (AnswerParsingTests).
        app.MapPost("/bom", () => Results.Bytes([0xEF, 0xBB, 0xBF, .. """{"output":"5","usage":{"input_tokens":3,"output_tokens":1}}"""u8], "application/json"));
        app.MapPost("/structured", () => Results.Text(
            """{"output":{"answer":5,"steps":["2 + 3"]},"usage":{"prompt_tokens":4,"completion_tokens":9,"cached_tokens":2}}""", "application/json; charset=utf-8"));
        app.MapPost("/no-output", () => Results.Text("""{"result":"5"}""", "application/json"));
        app.MapPost("/null-output", () => Results.Text("""{"output":null}""", "application/json"));
        app.MapPost("/trailing", () => Results.Text("""{"output":"5"} {"output":"6"}""", "application/json"));
        app.MapPost("/empty", () => Results.Text("", "application/json"));
        app.MapPost("/escaped", () => Results.Text("""{"output":"caf\u00e9 \"5\"\n"}""", "text/plain"));
        app.MapPost("/echo-auth", (HttpRequest request) =>
            Results.Json(new { output = request.Headers.Authorization.ToString(), usage = new { input_tokens = 1, output_tokens = 1 } }));
        app.MapPost("/json/v1/chat/completions", () => Results.Text(
            """{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"plain json"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""",
            "application/json"));
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

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
