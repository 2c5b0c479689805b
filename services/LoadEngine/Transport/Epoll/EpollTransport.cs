using System.Net;
using System.Runtime.CompilerServices;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Transport.Epoll;

/// <summary>
/// The socket transport's HTTP/1.1 client (<see cref="Http11Transport"/>: the same requests' bytes, answer parser,
/// pool, connector, timeouts and error kinds) with an event loop of its own in place of <c>System.Net.Sockets</c>'
/// asynchronous layer: Linux's epoll through libc (<see cref="EpollLoop"/>), one thread, each socket registered once,
/// and per request one <c>send</c> on the sending thread and a <c>recv</c> per event on the loop's, where the answer is
/// parsed and the request completed. The profile of <c>benchmesh stress</c> put the socket transport's remaining cost
/// over wrk in that layer (a speculative receive per request, operation queues, socket event args, the async methods
/// over them). Connecting is the socket transport's (an awaited <c>ConnectAsync</c>, or the run's connector); only
/// after it does the loop take over the socket. Made by <see cref="TryCreate"/>, null where epoll is not to be had.
/// </summary>
internal sealed class EpollTransport : ILoadTransport
{
    private readonly Http11Requests _requests;
    private readonly ConnectionPool<EpollConnection> _pool;
    private readonly EpollLoop _loop;
    private readonly Lock _freeLock = new();
    private readonly Stack<EpollExchange> _free = new();
    private readonly Action<EpollExchange> _recycle;

    private EpollTransport(RequestFactory factory, int connections, TargetConnector? connector, TargetResolver? resolver, EpollLoop loop)
    {
        var uri = factory.Uri;
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The epoll transport speaks plain http:// only, not '{uri.Scheme}'.", nameof(factory));
        }

        _loop = loop;
        _requests = new Http11Requests(factory);
        _recycle = Recycle;
        var checkBodies = factory.ChecksBodies;
        var host = uri.DnsSafeHost;
        EndPoint endpoint = IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, uri.Port) : new DnsEndPoint(host, uri.Port);
        _pool = new ConnectionPool<EpollConnection>(connections, endpoint, connector, (pool, _) => new EpollConnection(pool, loop, factory, checkBodies, resolver));
    }

    /// <summary>An epoll transport for the run, or null where epoll is not to be had (the caller falls back to <see cref="Http11Transport"/>).</summary>
    public static EpollTransport? TryCreate(RequestFactory factory, int connections, TargetConnector? connector = null, TargetResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var loop = EpollLoop.TryCreate(connections, "BenchMesh load epoll");
        if (loop is null)
        {
            return null;
        }

        try
        {
            return new EpollTransport(factory, connections, connector, resolver, loop);
        }
        catch
        {
            loop.Dispose();
            throw;
        }
    }

    public string Name => Transports.NameOf(TransportKind.Epoll);

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
        if (!rent.IsCompletedSuccessfully)
        {
            return WaitThenSendAsync(rent, request, timeout);
        }

        // The common case: a connection was free and open, and the request is written now; the loop completes it.
        var connection = rent.Result;
        return connection.IsOpen ? Begin(connection, request, timeout) : ConnectThenSendAsync(connection, request, timeout);
    }

    private ValueTask<Exchange> Begin(EpollConnection connection, ReadOnlyMemory<byte> request, CancellationToken timeout)
    {
        var exchange = Rent();
        var awaited = new ValueTask<Exchange>(exchange, exchange.Version);
        connection.Begin(exchange, request, timeout, attempt: 0);
        return awaited;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Exchange> WaitThenSendAsync(ValueTask<EpollConnection> rent, ReadOnlyMemory<byte> request, CancellationToken timeout)
    {
        var connection = await rent.ConfigureAwait(false);
        return await (connection.IsOpen ? Begin(connection, request, timeout) : ConnectThenSendAsync(connection, request, timeout)).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Exchange> ConnectThenSendAsync(EpollConnection connection, ReadOnlyMemory<byte> request, CancellationToken timeout)
    {
        try
        {
            await connection.ConnectAsync(timeout).ConfigureAwait(false);
        }
        catch
        {
            connection.Close();
            _pool.Return(connection);
            throw;
        }

        return await Begin(connection, request, timeout).ConfigureAwait(false);
    }

    private EpollExchange Rent()
    {
        EpollExchange? exchange;
        lock (_freeLock)
        {
            _free.TryPop(out exchange);
        }

        exchange ??= new EpollExchange(_recycle);
        exchange.Reset();
        return exchange;
    }

    private void Recycle(EpollExchange exchange)
    {
        lock (_freeLock)
        {
            _free.Push(exchange);
        }
    }

    public void Dispose()
    {
        _pool.Dispose();
        _loop.Dispose();
    }
}
