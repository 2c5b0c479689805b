using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Transport.Epoll;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the epoll transport: a socket connected to the addresses the socket transport
/// would reach (by itself, to the addresses the run's resolver vetted, or through its connector: <see cref="ConnectAsync"/>),
/// registered once in the run's <see cref="EpollLoop"/>, and the <see cref="Http11ResponseReader"/> the loop feeds. <see cref="Begin"/> writes a
/// request with one <c>send</c> on the caller's thread; the loop's events receive and parse the answer
/// (<see cref="OnEvents"/>) and complete the request there: the connection goes back to its pool, then the request's
/// <see cref="EpollExchange"/> completes, running its awaiter on the loop's thread. What the connection does per answer is
/// <see cref="Http11Connection"/>'s: the same judging, keep-alive, close and the one resend on a fresh connection of a
/// request that failed on a kept-alive one before any byte of its answer arrived.
/// <para>
/// A lock per connection orders the request's thread (<see cref="Begin"/>), the loop's (<see cref="OnEvents"/>) and a
/// timeout's (<see cref="Abort"/>); every use and close of the descriptor is under it, so no call ever reaches a
/// descriptor closed and reused meanwhile. Outcomes are delivered outside it.
/// </para>
/// </summary>
internal sealed class EpollConnection(ConnectionPool<EpollConnection> pool, EpollLoop loop, int id, RequestFactory factory, bool checkBodies, TargetResolver? resolver) : PooledConnection
{
    private const uint Readable = LibC.EpollIn | LibC.EpollRdHup | LibC.EpollHup | LibC.EpollErr;
    private const uint HungUp = LibC.EpollRdHup | LibC.EpollHup | LibC.EpollErr;

    private readonly Lock _lock = new();
    private readonly Http11ResponseReader _reader = new();
    private readonly Http11BodyKeeping _keep = checkBodies ? Http11BodyKeeping.Success : Http11BodyKeeping.None;
    private Socket? _socket;
    private int _fd = -1;
    private volatile bool _aborted;
    private int _served;

    // The socket may hold bytes no edge will announce again: the last receive filled its room, or an event came while
    // no request was on the connection (e.g. the server's close of an idle connection). The next request receives at once.
    private bool _unannounced;

    // A connect under way, completed by the loop with the socket's pending error (0: connected).
    private TaskCompletionSource<int>? _connectWait;

    // The request on the connection (null between requests), its bytes, what of them is unsent, and its bookkeeping.
    private EpollExchange? _exchange;
    private ReadOnlyMemory<byte> _request;
    private ReadOnlyMemory<byte> _unsent;
    private bool _waitedToSend;
    private bool _reused;
    private int _attempt;
    private CancellationToken _timeout;

    // The outcome found under the lock, delivered outside it.
    private Http11ResponseHead _head;
    private bool _peerClosed;
    private Exception? _failure;

    /// <summary>The tag of this connection's events in the loop.</summary>
    public int Id { get; } = id;

    /// <summary>Connected, and neither closed nor aborted.</summary>
    public bool IsOpen => _socket is not null && !_aborted;

    /// <summary>
    /// Opens a new socket (closing the old one, if any) and registers it in the loop. Itself, as a rule: a non-blocking
    /// connect to each of the host's addresses in turn (those the run's <see cref="TargetResolver"/> vetted, when it has
    /// one: the Stress service's outbound guard), whose completion the loop reports, so that no socket of the run is ever
    /// known to .NET's socket engine. Through the run's connector when it has one but no resolver: that socket was
    /// connected by .NET's asynchronous connect, which registers it in .NET's engine as well, whose thread then also wakes
    /// for each of its events (measured: more CPU per request than the socket transport, docs/stress.md "Speed").
    /// </summary>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        Close();
        try
        {
            if (pool.HasConnector && resolver is null)
            {
                Attach(await pool.ConnectAsync(cancellationToken).ConfigureAwait(false), wait: null);
            }
            else
            {
                await ConnectItselfAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SocketException ex)
        {
            Close();
            throw new IOException(ex.Message, ex);
        }
        catch
        {
            Close();
            throw;
        }

        // A timeout that fired while the socket was connecting found nothing to abort: it is honoured here.
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async ValueTask ConnectItselfAsync(CancellationToken cancellationToken)
    {
        IPEndPoint[] targets = (pool.EndPoint, resolver) switch
        {
            (IPEndPoint ip, { } vet) => [.. (await vet(ip.Address.ToString(), cancellationToken).ConfigureAwait(false)).Select(a => new IPEndPoint(a, ip.Port))],
            (DnsEndPoint dns, { } vet) => [.. (await vet(dns.Host, cancellationToken).ConfigureAwait(false)).Select(a => new IPEndPoint(a, dns.Port))],
            (IPEndPoint ip, _) => [ip],
            (DnsEndPoint dns, _) => [.. (await Dns.GetHostAddressesAsync(dns.Host, cancellationToken).ConfigureAwait(false)).Select(a => new IPEndPoint(a, dns.Port))],
            var (other, _) => throw new NotSupportedException($"Cannot connect to a {other.GetType().Name}."),
        };
        SocketException? last = null;
        foreach (var target in targets)
        {
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
            try
            {
                try
                {
                    socket.Connect(target);
                    Attach(socket, wait: null);
                    return; // at once, as on loopback
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    // Under way: the loop reports when it is done (its first writable or error event).
                }

                var wait = new TaskCompletionSource<int>();
                Attach(socket, wait);
                var error = await wait.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (error == 0)
                {
                    return;
                }

                throw new SocketException((int)LibC.ToSocketError(error));
            }
            catch (SocketException ex)
            {
                last = ex;
                Close();
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Makes <paramref name="socket"/> this connection's and registers it in the loop; <paramref name="wait"/>: its connect is still under way.</summary>
    private void Attach(Socket socket, TaskCompletionSource<int>? wait)
    {
        // send and recv must answer EAGAIN rather than block the thread (which may be the loop's).
        socket.Blocking = false;
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        lock (_lock)
        {
            _socket = socket;
            _fd = fd;
            _aborted = false;
            _unannounced = false;
            _connectWait = wait;
        }

        loop.Register(fd, Id);
    }

    /// <summary>
    /// Starts <paramref name="request"/> on this open connection, which the pool lent for it: writes what the socket
    /// takes now (the rest when the loop says it can), and leaves the answer to the loop, which completes
    /// <paramref name="exchange"/>. <paramref name="attempt"/> 1 is the resend on a fresh connection.
    /// </summary>
    public void Begin(EpollExchange exchange, ReadOnlyMemory<byte> request, CancellationToken timeout, int attempt)
    {
        bool over;
        lock (_lock)
        {
            _exchange = exchange;
            _request = request;
            _unsent = request;
            _waitedToSend = false;
            _reused = _served > 0;
            _attempt = attempt;
            _timeout = timeout;
            _failure = null;
            _peerClosed = false;
            _reader.StartAnswer();
            over = _socket is null || _aborted
                ? Failed(new IOException("The connection was closed while a request was on it."))
                : Pump(0);
        }

        if (over)
        {
            Finish();
        }
    }

    /// <summary>The loop's events for this connection's socket.</summary>
    public void OnEvents(uint events)
    {
        bool over;
        TaskCompletionSource<int>? connected = null;
        var error = 0;
        lock (_lock)
        {
            if (_connectWait is not null && _socket is not null)
            {
                (connected, _connectWait) = (_connectWait, null);
                error = _aborted ? 103 /* ECONNABORTED */ : LibC.PendingError(_fd);
                over = false;
            }
            else if (_exchange is null)
            {
                _unannounced |= (events & Readable) != 0 && _socket is not null;
                return;
            }
            else
            {
                over = Pump(events);
            }
        }

        connected?.TrySetResult(error);
        if (over)
        {
            Finish();
        }
    }

    /// <summary>
    /// Under the lock: sends what is unsent, then receives and parses what the socket holds, as far as it goes without
    /// waiting. True when the request is over (its answer complete, or failed: <see cref="_failure"/>).
    /// </summary>
    private bool Pump(uint events)
    {
        try
        {
            var receive = (events & Readable) != 0 || _unannounced || _reader.HasUnread;
            if (!_unsent.IsEmpty)
            {
                SendSome();
                if (!_unsent.IsEmpty)
                {
                    return false; // the loop's next writable event sends the rest
                }

                // The rest went out after a wait: an answer that began meanwhile announced itself while unread.
                receive |= _waitedToSend;
            }

            return receive && ReceiveSome(hungUp: (events & HungUp) != 0);
        }
        catch (Exception ex)
        {
            return Failed(ex);
        }
    }

    private void SendSome()
    {
        while (!_unsent.IsEmpty)
        {
            var span = _unsent.Span;
            var sent = LibC.send(_fd, ref MemoryMarshal.GetReference(span), span.Length, LibC.MsgNoSignal);
            if (sent >= 0)
            {
                _unsent = _unsent[(int)sent..];
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EAGAIN)
            {
                _waitedToSend = true;
                return;
            }

            if (errno != LibC.EINTR)
            {
                throw new SocketException((int)LibC.ToSocketError(errno));
            }
        }
    }

    /// <summary>
    /// Receives until the answer is complete or the socket has nothing more now; true when complete. A receive short of
    /// its room took all the socket had, and more bytes will bring a new edge, except the server's close when it came
    /// with the bytes (<paramref name="hungUp"/>: the event said so): then it receives on to the close (0) or the error.
    /// </summary>
    private bool ReceiveSome(bool hungUp)
    {
        while (true)
        {
            if (_reader.TryStep(_keep, out _head))
            {
                return true;
            }

            var room = _reader.ReceiveSpace().Span;
            var received = LibC.recv(_fd, ref MemoryMarshal.GetReference(room), room.Length, 0);
            if (received > 0)
            {
                _reader.Received((int)received);
                _unannounced = received == room.Length || hungUp;
                if (!_unannounced)
                {
                    return _reader.TryStep(_keep, out _head);
                }

                continue;
            }

            if (received == 0)
            {
                _unannounced = false;
                if (_aborted)
                {
                    throw new IOException("The request was aborted.");
                }

                _head = _reader.EndAtClose();
                _peerClosed = true;
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EAGAIN)
            {
                _unannounced = false;
                return false;
            }

            if (errno != LibC.EINTR)
            {
                throw new SocketException((int)LibC.ToSocketError(errno));
            }
        }
    }

    private bool Failed(Exception failure)
    {
        _failure = failure;
        return true;
    }

    /// <summary>
    /// The request is over: outside the lock, the connection is closed or kept, goes back to the pool, and the exchange
    /// completes (or, for a failure on a kept-alive connection before any byte of its answer, the request is sent again
    /// on a fresh connection).
    /// </summary>
    private void Finish()
    {
        EpollExchange exchange;
        Exchange result = default;
        Exception? failure;
        bool resend = false;
        ReadOnlyMemory<byte> request;
        CancellationToken timeout;
        lock (_lock)
        {
            exchange = _exchange!;
            _exchange = null;
            request = _request;
            _request = _unsent = default;
            timeout = _timeout;
            failure = _failure;
            _failure = null;
            if (failure is null)
            {
                var head = _head;
                var error = head.Status is < 200 or > 299 ? ErrorKinds.ForStatus(head.Status)
                    : checkBodies && !factory.IsValidAnswer(_reader.Body) ? ErrorKinds.InvalidBody
                    : null;
                if (head.KeepAlive && !_peerClosed)
                {
                    _served++;
                }
                else
                {
                    CloseLocked();
                }

                result = new Exchange(head.Status, error, head.RetryAfter, Stopwatch.GetTimestamp());
            }
            else
            {
                resend = _attempt == 0 && _reused && !_reader.ReceivedAny && !timeout.IsCancellationRequested;
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

    /// <summary>
    /// Aborts a request in progress (its timeout fired, or the run ended): the socket is shut down under it, which the
    /// loop sees as an event, where the request fails. Any thread.
    /// </summary>
    internal override void Abort()
    {
        lock (_lock)
        {
            _aborted = true;
            if (_fd >= 0)
            {
                LibC.shutdown(_fd, LibC.ShutRdWr); // fails harmlessly (ENOTCONN) on a socket not connected
            }
        }
    }

    /// <summary>The loop stopped: a request still on the connection fails, and the socket closes.</summary>
    internal void Stop()
    {
        bool over;
        TaskCompletionSource<int>? connecting;
        lock (_lock)
        {
            over = _exchange is not null && Failed(new IOException("The load run ended while a request was on the connection."));
            _attempt = 1; // no resend
            (connecting, _connectWait) = (_connectWait, null);
        }

        connecting?.TrySetResult(103 /* ECONNABORTED */);
        if (over)
        {
            Finish();
        }

        Close();
    }

    /// <summary>Closes the socket (closing its descriptor takes it out of the loop); the next request connects again.</summary>
    public void Close()
    {
        lock (_lock)
        {
            CloseLocked();
        }
    }

    private void CloseLocked()
    {
        var socket = _socket;
        _socket = null;
        _fd = -1;
        _connectWait = null;
        socket?.Dispose();
        _reader.Reset();
        _served = 0;
        _unannounced = false;
    }

    public override void Dispose() => Close();
}
