using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// Requests through .NET's <see cref="SocketsHttpHandler"/> (one per run): pooled keep-alive connections at most
/// <c>connections</c>, no cookies, redirects, decompression or proxy. Used for https:// targets, and for http:// when
/// asked for (<see cref="TransportKind.HttpClient"/>).
/// </summary>
internal sealed class HttpClientTransport : ILoadTransport
{
    private readonly RequestFactory _factory;
    private readonly bool _checkBodies;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _invoker;

    public HttpClientTransport(RequestFactory factory, int connections, TimeSpan connectTimeout, TargetConnector? connector = null)
    {
        _factory = factory;
        _checkBodies = factory.ChecksBodies;
        _handler = CreateHandler(connections, connectTimeout);
        if (connector is not null)
        {
            _handler.ConnectCallback = async (context, ct) =>
                new NetworkStream(await connector(context.DnsEndPoint.Host, context.DnsEndPoint.Port, ct).ConfigureAwait(false), ownsSocket: true);
        }

        _invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    public string Name => Transports.NameOf(TransportKind.HttpClient);

    /// <summary>The handler: pooled keep-alive connections, nothing between the generator and the socket.</summary>
    public static SocketsHttpHandler CreateHandler(int connections, TimeSpan connectTimeout) => new()
    {
        MaxConnectionsPerServer = connections,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
    };

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Exchange> SendAsync(long sequence, double progress, CancellationToken timeout)
    {
        using var request = _factory.Create(sequence, progress);
        using var response = await _invoker.SendAsync(request, timeout).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var success = response.IsSuccessStatusCode;
        string? error;
        if (success && _checkBodies)
        {
            var body = await response.Content.ReadAsByteArrayAsync(timeout).ConfigureAwait(false);
            error = _factory.IsValidAnswer(body) ? null : ErrorKinds.InvalidBody;
        }
        else
        {
            await response.Content.CopyToAsync(Stream.Null, timeout).ConfigureAwait(false);
            error = success ? null : ErrorKinds.ForStatus(status);
        }

        return new Exchange(status, error, status == 429 ? RetryAfter(response) : null, Stopwatch.GetTimestamp());
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta;
        }

        return header.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }

    public void Dispose()
    {
        _invoker.Dispose();
        _handler.Dispose();
    }
}
