using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Stress.Tests;

/// <summary>
/// A tiny agent on a real Kestrel socket (127.0.0.1, random port). Its behaviour is chosen per endpoint by the
/// query string, so each test builds the endpoint it needs:
/// <c>fail_every=N</c> answers 500 to every Nth request, <c>slow_every=M&amp;slow_ms=T</c> delays every Mth by T ms,
/// <c>delay_ms=D</c> delays every request, <c>garbage=1</c> answers text that is not JSON.
/// <c>/json</c> speaks http-json, <c>/openai/v1/chat/completions</c> speaks openai-chat.
/// </summary>
public sealed class TestAgentServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private LoopbackServer? _server;

    public string Address => _server?.Address ?? "";
    public ConcurrentQueue<(string Path, string? Authorization, JsonElement Body)> Received { get; } = new();

    public int CountFor(string pathAndQuery) => _counts.GetValueOrDefault(pathAndQuery);

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(app =>
    {
        app.MapPost("/json", context => AnswerAsync(context, """{"output":"5","usage":{"input_tokens":12,"output_tokens":1}}"""));
        app.MapPost("/openai/v1/chat/completions", context => AnswerAsync(context,
            """{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"5"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":1}}"""));
    });

    private async Task AnswerAsync(HttpContext context, string answer)
    {
        var key = context.Request.Path + context.Request.QueryString;
        var n = _counts.AddOrUpdate(key, 1, (_, c) => c + 1);
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        Received.Enqueue((context.Request.Path, context.Request.Headers.Authorization.ToString(), body.RootElement.Clone()));

        var q = context.Request.Query;
        int Int(string name) => int.TryParse(q[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
        var delay = Int("delay_ms") + (Int("slow_every") > 0 && n % Int("slow_every") == 0 ? Int("slow_ms") : 0);
        if (delay > 0)
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        if (Int("fail_every") > 0 && n % Int("fail_every") == 0)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsync("""{"error":"injected"}""");
            return;
        }

        if (Int("garbage") == 1)
        {
            await context.Response.WriteAsync("this is not json");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
