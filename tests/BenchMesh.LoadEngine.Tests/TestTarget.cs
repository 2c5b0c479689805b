using System.Diagnostics;
using System.Net;
using BenchMesh.LoadEngine.Execution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// An in-process Kestrel server on a loopback port with the endpoints the tests load: fast answers in each protocol,
/// error statuses, a stall, a capacity limit and a rate limit.
/// </summary>
public sealed class TestTarget : IAsyncDisposable
{
    /// <summary>
    /// Requests per second the /capacity endpoint serves (a token bucket holding half a second's worth) before it
    /// answers 503. The half second of burst absorbs a stall of this busy machine (a generator or server pause of up
    /// to a second at 100 requests a second) without blurring the limit: over a one-second step, 375 requests pass.
    /// </summary>
    public const int Capacity = 250;

    /// <summary>Requests per second the /limited endpoint serves (a token bucket) before it answers 429 with Retry-After: 1.</summary>
    public const int RateLimit = 20;

    private readonly WebApplication _app;
    private readonly TokenBucket _capacity = new(Capacity, burstSeconds: 0.5);
    private readonly TokenBucket _limit = new(RateLimit, burstSeconds: 0.1);

    private TestTarget(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Inputs received by the http-json endpoint, in arrival order.</summary>
    public List<string> Inputs { get; } = [];

    /// <summary>Body sizes received by the http-json endpoint.</summary>
    public List<long> BodySizes { get; } = [];

    public Uri Url(string path) => new(BaseUrl, path);

    public static async Task<TestTarget> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var target = new TestTarget(app);
        target.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        target.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return target;
    }

    private void Map()
    {
        _app.MapGet("/", () => "ok");
        _app.MapPost("/json", async (HttpRequest request) =>
        {
            using var document = await System.Text.Json.JsonDocument.ParseAsync(request.Body);
            lock (Inputs)
            {
                Inputs.Add(document.RootElement.GetProperty("input").GetString()!);
                BodySizes.Add(request.ContentLength ?? 0);
            }

            return Results.Json(new { output = "5" });
        });
        _app.MapPost("/v1/chat/completions", () => Results.Json(new
        {
            id = "x",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = "5" }, finish_reason = "stop" } },
        }));
        _app.MapPost("/not-json", () => Results.Text("five", "text/plain"));
        // An http-json answer written in pieces without a length: Kestrel sends it chunked.
        _app.MapPost("/chunked", async (HttpResponse response) =>
        {
            response.ContentType = "application/json";
            await response.WriteAsync("{\"output\":");
            await response.Body.FlushAsync();
            await Task.Delay(5);
            await response.WriteAsync("\"5\"}");
        });
        // An http-json answer of about kb KiB, with a Content-Length (or chunked, in 8 KiB pieces).
        _app.MapPost("/big/{kb:int}", async (int kb, bool? chunked, HttpResponse response) =>
        {
            var body = System.Text.Encoding.UTF8.GetBytes("{\"output\":\"" + new string('x', kb * 1024) + "\"}");
            response.ContentType = "application/json";
            if (chunked != true)
            {
                response.ContentLength = body.Length;
                await response.Body.WriteAsync(body);
                return;
            }

            for (var at = 0; at < body.Length; at += 8192)
            {
                await response.Body.WriteAsync(body.AsMemory(at, Math.Min(8192, body.Length - at)));
                await response.Body.FlushAsync();
            }
        });
        _app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        _app.MapGet("/slow/{ms:int}", async (int ms) =>
        {
            await Task.Delay(ms);
            return "late";
        });
        // Every second, requests arriving in its first 200 ms are held until the 200 ms mark: a hiccup 20% of the time.
        _app.MapGet("/stall", async () =>
        {
            var intoSecond = Stopwatch.GetTimestamp() % Stopwatch.Frequency * 1000 / Stopwatch.Frequency;
            if (intoSecond < 200)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 - intoSecond));
            }

            return "ok";
        });
        _app.MapGet("/capacity", () => _capacity.TryTake() ? Results.Text("ok") : Results.StatusCode(503));
        _app.MapPost("/capacity", () => _capacity.TryTake() ? Results.Json(new { output = "5" }) : Results.StatusCode(503));
        _app.MapPost("/limited", (HttpResponse response) =>
        {
            if (_limit.TryTake())
            {
                return Results.Json(new { output = "5" });
            }

            response.Headers.RetryAfter = "1";
            return Results.StatusCode(429);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A token bucket: <c>rate</c> requests per second, bursts of <c>burstSeconds</c>' worth.</summary>
    private sealed class TokenBucket(int rate, double burstSeconds)
    {
        private readonly Lock _lock = new();
        private readonly double _burst = Math.Max(1, rate * burstSeconds);
        private double _tokens = Math.Max(1, rate * burstSeconds);
        private long _last = Stopwatch.GetTimestamp();

        public bool TryTake()
        {
            lock (_lock)
            {
                var now = Stopwatch.GetTimestamp();
                _tokens = Math.Min(_burst, _tokens + (now - _last) * (double)rate / Stopwatch.Frequency);
                _last = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }
    }
}

/// <summary>One server for every test of a class, warmed up (JIT, connections) so a first run's timing is not the odd one out.</summary>
public sealed class TestTargetFixture : IAsyncLifetime
{
    public TestTarget Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Target = await TestTarget.StartAsync();
        await LoadGenerator.RunAsync(new LoadOptions { Url = Target.Url("/"), Rate = 100, Duration = TimeSpan.FromMilliseconds(300) });
    }

    public async Task DisposeAsync() => await Target.DisposeAsync();
}
