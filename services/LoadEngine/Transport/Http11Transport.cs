using System.Net;
using System.Runtime.CompilerServices;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// BenchMesh's own HTTP/1.1 client for plain http:// targets, built for a load generator's hot path: keep-alive
/// connections (at most <c>connections</c>, <see cref="ConnectionPool{TConnection}"/>), requests written from bytes encoded once
/// (<see cref="Http11Requests"/>), answers parsed in a buffer kept per connection (<see cref="Http11Connection"/>),
/// socket operations awaited as pooled ValueTasks and timeouts without a timer per request: a request allocates
/// nothing. What it does not do: TLS, HTTP/2, proxies, redirects, decompression, cookies, Expect: 100-continue.
/// </summary>
internal sealed class Http11Transport : ILoadTransport
{
    private readonly RequestFactory _factory;
    private readonly Http11Requests _requests;
    private readonly ConnectionPool<Http11Connection> _pool;
    private readonly bool _checkBodies;

    public Http11Transport(RequestFactory factory, int connections, TargetConnector? connector = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var uri = factory.Uri;
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The socket transport speaks plain http:// only, not '{uri.Scheme}'.", nameof(factory));
        }

        _factory = factory;
        _requests = new Http11Requests(factory);
        _checkBodies = factory.ChecksBodies;
        var host = uri.DnsSafeHost;
        EndPoint endpoint = IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, uri.Port) : new DnsEndPoint(host, uri.Port);
        _pool = new ConnectionPool<Http11Connection>(connections, endpoint, connector, static (pool, _) => new Http11Connection(pool));
    }

    public string Name => Transports.NameOf(TransportKind.Socket);

    /// <summary>Connections made so far.</summary>
    internal int Connections => _pool.Count;

    public ValueTask<Exchange> SendAsync(long sequence, double progress, CancellationToken timeout)
    {
        if (timeout.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Exchange>(timeout);
        }

        var request = _requests.For(sequence, progress);
        var rent = _pool.RentAsync(timeout);
        // The common case: a connection was free, and the request runs on it in one async method.
        return rent.IsCompletedSuccessfully
            ? rent.Result.SendAsync(request, _factory, _checkBodies, timeout)
            : WaitThenSendAsync(rent, request, timeout);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Exchange> WaitThenSendAsync(ValueTask<Http11Connection> rent, ReadOnlyMemory<byte> request, CancellationToken timeout)
    {
        var connection = await rent.ConfigureAwait(false);
        return await connection.SendAsync(request, _factory, _checkBodies, timeout).ConfigureAwait(false);
    }

    public void Dispose() => _pool.Dispose();
}
