using System.Net.Sockets;
using System.Runtime.CompilerServices;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Transport.Epoll;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the epoll transport: an <see cref="EpollHttp11Connection"/> (the socket, its
/// connect to the addresses the socket transport would reach, the loop's receive and parse) lent by the run's
/// <see cref="ConnectionPool{TConnection}"/>. <see cref="Begin"/> writes a request; when its answer is complete the
/// connection goes back to its pool, then the request's <see cref="EpollExchange"/> completes, running its awaiter on
/// the loop's thread. What the connection does per answer is <see cref="Http11Connection"/>'s: the same judging,
/// keep-alive, close and the one resend on a fresh connection of a request that failed on a kept-alive one before any
/// byte of its answer arrived.
/// </summary>
internal sealed class EpollConnection(ConnectionPool<EpollConnection> pool, EpollLoop loop, RequestFactory factory, bool checkBodies, TargetResolver? resolver)
    : EpollHttp11Connection(loop, checkBodies ? Http11BodyKeeping.Success : Http11BodyKeeping.None), IPooledConnection
{
    // The request on the connection (set before it starts, read when it is over) and its bookkeeping.
    private EpollExchange? _exchange;
    private int _attempt;
    private CancellationToken _timeout;

    public bool Busy { get; set; }

    public CancellationToken Token { get; set; }

    /// <summary>
    /// Opens a new socket (closing the old one, if any) and registers it in the loop: by itself, to the addresses the
    /// run's <see cref="TargetResolver"/> vetted when it has one (the Stress service's outbound guard); through the run's
    /// connector when it has one but no resolver.
    /// </summary>
    public ValueTask ConnectAsync(CancellationToken cancellationToken) =>
        ConnectAsync(pool.EndPoint, resolver, pool.HasConnector && resolver is null ? pool.ConnectAsync : null, cancellationToken);

    /// <summary>
    /// Starts <paramref name="request"/> on this open connection, which the pool lent for it, and leaves the answer to
    /// the loop, which completes <paramref name="exchange"/>. <paramref name="attempt"/> 1 is the resend on a fresh connection.
    /// </summary>
    public void Begin(EpollExchange exchange, ReadOnlyMemory<byte> request, CancellationToken timeout, int attempt)
    {
        _exchange = exchange;
        _attempt = attempt;
        _timeout = timeout;
        Start(request);
    }

    /// <summary>
    /// The request is over: the connection is closed or kept, goes back to the pool, and the exchange completes (or, for
    /// a failure on a kept-alive connection before any byte of its answer, the request is sent again on a fresh connection).
    /// </summary>
    protected override void Finish()
    {
        EpollExchange exchange;
        Exchange result = default;
        Exception? failure;
        bool resend = false;
        ReadOnlyMemory<byte> request;
        CancellationToken timeout;
        lock (Sync)
        {
            exchange = _exchange!;
            _exchange = null;
            request = EndRequest();
            timeout = _timeout;
            failure = TakeFailure();
            if (failure is null)
            {
                var head = Head;
                var error = head.Status is < 200 or > 299 ? ErrorKinds.ForStatus(head.Status)
                    : checkBodies && !factory.IsValidAnswer(Reader.Body) ? ErrorKinds.InvalidBody
                    : null;
                if (head.KeepAlive && !PeerClosed)
                {
                    Served++;
                }
                else
                {
                    CloseLocked();
                }

                result = new Exchange(head.Status, error, head.RetryAfter, Ended);
            }
            else
            {
                resend = _attempt == 0 && !Stopped && Reused && !Reader.ReceivedAny && !timeout.IsCancellationRequested;
                CloseLocked();
            }
        }

        if (resend)
        {
            _ = ResendAsync(exchange, request, timeout); // the server closed the kept-alive connection before this request reached it
            return;
        }

        pool.Return(this);
        if (failure is null)
        {
            exchange.SetResult(result);
        }
        else
        {
            exchange.SetException(Wrap(failure));
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ResendAsync(EpollExchange exchange, ReadOnlyMemory<byte> request, CancellationToken timeout)
    {
        try
        {
            await ConnectAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Close();
            pool.Return(this);
            exchange.SetException(ex);
            return;
        }

        Begin(exchange, request, timeout, attempt: 1);
    }

    /// <summary>The exceptions <see cref="Http11Connection"/> throws for the same failures.</summary>
    private static Exception Wrap(Exception failure) => failure switch
    {
        SocketException socket => new IOException(socket.Message, socket),
        ObjectDisposedException disposed => new IOException("The connection was closed while a request was on it.", disposed),
        _ => failure,
    };
}
