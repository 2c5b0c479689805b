using System.Net;
using System.Net.Sockets;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// The engine gives the same figures whichever transport carries its requests: the same error kinds, the same 429 and
/// Retry-After bookkeeping, the same interruption at the end of the graceful stop.
/// </summary>
public sealed class TransportParityTests(TestTargetFixture fixture) : IClassFixture<TestTargetFixture>
{
    private TestTarget Target => fixture.Target;

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    [InlineData(TransportKind.HttpClient)]
    public async Task Errors_are_classified_alike(TransportKind transport)
    {
        var ok = await Short(Target.Url("/json"), transport, LoadProtocols.HttpJson);
        var chat = await Short(Target.Url("/"), transport, LoadProtocols.OpenAiChat);
        var status = await Short(Target.Url("/status/503"), transport);
        var body = await Short(Target.Url("/not-json"), transport, LoadProtocols.HttpJson);
        var refused = await Short(new Uri($"http://127.0.0.1:{UnusedPort()}/"), transport);
        var timeout = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/slow/2000"),
            Rate = 10,
            Duration = TimeSpan.FromSeconds(1),
            RequestTimeout = TimeSpan.FromMilliseconds(200),
            Transport = transport,
        });

        Assert.All(new[] { ok, chat, status, body, refused, timeout }, r => Assert.Equal(Transports.NameOf(transport), r.Generator.Transport));
        Assert.Equal(0, ok.ErrorCount);
        Assert.Equal(0, chat.ErrorCount);
        Assert.Equal(ok.Requests, ok.StatusCodes["200"]);
        Assert.Equal(status.Requests, status.Errors["http_503"]);
        Assert.Equal(status.Requests, status.StatusCodes["503"]);
        Assert.Equal(body.Requests, body.Errors[ErrorKinds.InvalidBody]);
        Assert.Equal(refused.Requests, refused.Errors[ErrorKinds.ConnectionRefused]);
        Assert.Equal(timeout.Requests, timeout.Errors[ErrorKinds.Timeout]);
        Assert.All(new[] { ok, chat, status, body, refused, timeout }, r => Assert.True(r.Requests >= 10, r.Requests.ToString()));
    }

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    [InlineData(TransportKind.HttpClient)]
    public async Task Rate_limiting_429s_and_their_retry_after_are_counted_alike(TransportKind transport)
    {
        // /limited serves 20 requests a second and answers the rest 429 with Retry-After: 1.
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/limited"),
            Rate = 100,
            Duration = TimeSpan.FromSeconds(1),
            Request = new RequestSpec { Protocol = LoadProtocols.HttpJson },
            Transport = transport,
        });

        Assert.True(result.RateLimited.Responses429 >= 50, result.RateLimited.Responses429.ToString());
        Assert.Equal(result.RateLimited.Responses429, result.RateLimited.WithRetryAfter);
        Assert.Equal(1, result.RateLimited.MaxRetryAfterSeconds);
        Assert.Equal(result.RateLimited.Responses429, result.Errors["http_429"]);
        Assert.Equal(result.Requests - result.RateLimited.Responses429, result.Succeeded);
    }

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    [InlineData(TransportKind.HttpClient)]
    public async Task Requests_still_running_after_the_graceful_stop_are_interrupted_not_failed(TransportKind transport)
    {
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = Target.Url("/slow/3000"),
            Rate = 20,
            Duration = TimeSpan.FromMilliseconds(500),
            GracefulStop = TimeSpan.Zero,
            Transport = transport,
        });

        Assert.Equal(10, result.Started);
        Assert.Equal(10, result.Interrupted);
        Assert.Equal(0, result.Requests);
        Assert.Equal(0, result.ErrorCount);
    }

    private static Task<LoadResult> Short(Uri url, TransportKind transport, string protocol = LoadProtocols.Raw) => LoadGenerator.RunAsync(new LoadOptions
    {
        Url = url,
        Rate = 20,
        Duration = TimeSpan.FromMilliseconds(500),
        Request = new RequestSpec { Protocol = protocol },
        Transport = transport,
    });

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
