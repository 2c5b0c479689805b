using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BenchMesh.LoadEngine.Transport.Epoll;

/// <summary>
/// One keep-alive HTTP/1.1 connection on an <see cref="EpollLoop"/>: a socket connected to vetted addresses by itself
/// (or handed over connected: <see cref="ConnectAsync"/>), registered once in the loop, and the
/// <see cref="Http11ResponseReader"/> the loop feeds. <see cref="Start"/> writes a request with one <c>send</c> on the
/// caller's thread; the loop's events receive and parse the answer (<see cref="OnEvents"/>), and when it is complete, or
/// the request failed, <see cref="Finish"/> runs, on the loop's thread as a rule (once the loop has received for every
/// event of its batch), outside the connection's lock. What a
/// finished request means (keep or close the connection, complete whom) is the subclass's: the load engine's
/// <see cref="EpollConnection"/> and the Runner's agent connection share everything up to there.
/// <para>
/// A lock per connection (<see cref="Sync"/>) orders the request's thread (<see cref="Start"/>), the loop's
/// (<see cref="OnEvents"/>) and an abort's (<see cref="Abort"/>); every use and close of the descriptor is under it, so
/// no call ever reaches a descriptor closed and reused meanwhile.
/// </para>
/// </summary>
public abstract class EpollHttp11Connection : IHttp11ReceiveObserver, IDisposable
{
    private const uint Readable = LibC.EpollIn | LibC.EpollRdHup | LibC.EpollHup | LibC.EpollErr;
    private const uint HungUp = LibC.EpollRdHup | LibC.EpollHup | LibC.EpollErr;

    private readonly EpollLoop _loop;
    private readonly Lock _lock = new();
    private readonly Http11ResponseReader _reader;
    private readonly Http11BodyKeeping _keep;
    private Socket? _socket;
    private int _fd = -1;
    private uint _registration;
    private volatile bool _aborted;
    private bool _stopped;

    // The socket may hold bytes no edge will announce again: the last receive filled its room, or an event came while
    // no request was on the connection (e.g. the server's close of an idle connection). The next request receives at once.
    private bool _unannounced;

    // A connect under way, completed by the loop with the socket's pending error (0: connected).
    private TaskCompletionSource<int>? _connectWait;

    // The request on the connection (none while !_busy), its bytes, what of them is unsent, and its bookkeeping.
    private bool _busy;
    private ReadOnlyMemory<byte> _request;
    private ReadOnlyMemory<byte> _unsent;
    private bool _waitedToSend;
    private bool _reused;
    private long _written;
    private long _ended;

    // The outcome found under the lock, taken by Finish.
    private Http11ResponseHead _head;
    private bool _peerClosed;
    private Exception? _failure;

    /// <param name="loop">The loop whose thread receives for this connection.</param>
    /// <param name="keep">Which answers' bodies the reader keeps (<see cref="Http11ResponseReader.Body"/>).</param>
    /// <param name="readContentType">Whether the reader reads the answer's Content-Type.</param>
    /// <param name="observeReceives">Whether <see cref="OnReceive"/> is called for each receive (costs a call a receive).</param>
    protected EpollHttp11Connection(EpollLoop loop, Http11BodyKeeping keep, bool readContentType = false, bool observeReceives = false)
    {
        ArgumentNullException.ThrowIfNull(loop);
        _loop = loop;
        _keep = keep;
        _reader = new Http11ResponseReader(observeReceives ? this : null, readContentType);
        Slot = loop.Attach(this);
    }

    /// <summary>This connection's place in its loop (the low half of its events' tag).</summary>
    internal int Slot { get; }

    /// <summary>Connected, and neither closed nor aborted.</summary>
    public bool IsOpen => _socket is not null && !_aborted;

    /// <summary>The lock that orders the request's, the loop's and an abort's threads; <see cref="Finish"/> takes it to read the outcome.</summary>
    protected Lock Sync => _lock;

    /// <summary>The answer's reader: its body (<see cref="Http11ResponseReader.TakeBody"/>), whether any byte came.</summary>
    protected Http11ResponseReader Reader => _reader;

    /// <summary>Answers read on the current socket (0: a fresh connection). Under <see cref="Sync"/>.</summary>
    protected int Served { get; set; }

    /// <summary>The head of the answer just read (under <see cref="Sync"/>, in <see cref="Finish"/>).</summary>
    protected Http11ResponseHead Head => _head;

    /// <summary>Whether the server closed the connection with (or to end) the answer just read.</summary>
    protected bool PeerClosed => _peerClosed;

    /// <summary>Whether the request just over was sent on a connection that had served an answer before.</summary>
    protected bool Reused => _reused;

    /// <summary>Whether the loop has stopped (no request should be sent again).</summary>
    protected bool Stopped => _stopped;

    /// <summary>When (<see cref="Stopwatch"/> timestamp) the request's last byte was handed to the socket; 0 if it never was.</summary>
    protected long Written => _written;

    /// <summary>
    /// Opens a new socket (closing the old one, if any) and registers it in the loop. Itself, as a rule: a non-blocking
    /// connect to each of the host's addresses in turn (those <paramref name="resolver"/> vetted, when there is one: the
    /// outbound guard), whose completion the loop reports, so that the socket is never known to .NET's socket engine.
    /// Through <paramref name="connect"/> when given: that socket was connected by .NET's asynchronous connect, which
    /// registers it in .NET's engine as well, whose thread then also wakes for each of its events (measured: more CPU per
    /// request than the socket transport, docs/stress.md "Speed"). Failures: <see cref="IOException"/> around the
    /// <see cref="SocketException"/>, what the resolver throws (a refused address), <see cref="OperationCanceledException"/>.
    /// </summary>
    protected async ValueTask ConnectAsync(EndPoint endpoint, TargetResolver? resolver, Func<CancellationToken, ValueTask<Socket>>? connect, CancellationToken cancellationToken)
    {
        Close();
        try
        {
            if (connect is not null)
            {
                Attach(await connect(cancellationToken).ConfigureAwait(false), wait: null);
            }
            else
            {
                await ConnectItselfAsync(endpoint, resolver, cancellationToken).ConfigureAwait(false);
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

    private async ValueTask ConnectItselfAsync(EndPoint endpoint, TargetResolver? resolver, CancellationToken cancellationToken)
    {
        IPEndPoint[] targets = (endpoint, resolver) switch
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
        uint registration;
        lock (_lock)
        {
            _socket = socket;
            _fd = fd;
            _aborted = false;
            _unannounced = false;
            _connectWait = wait;
            // Events still queued for an earlier descriptor of this slot carry another registration and are ignored.
            _registration = registration = _loop.NextRegistration();
        }

        _loop.Register(fd, Slot, registration);
    }

    /// <summary>
    /// Starts <paramref name="request"/> on this open connection, which is the request's alone until <see cref="Finish"/>:
    /// writes what the socket takes now (the rest when the loop says it can), and leaves the answer to the loop. A
    /// connection that is not open fails the request at once (<see cref="Finish"/> runs on this thread).
    /// </summary>
    protected void Start(ReadOnlyMemory<byte> request)
    {
        bool over;
        lock (_lock)
        {
            _busy = true;
            _request = request;
            _unsent = request;
            _waitedToSend = false;
            _reused = Served > 0;
            _written = 0;
            _failure = null;
            _peerClosed = false;
            _reader.StartAnswer();
            over = _socket is null || _aborted
                ? Failed(new IOException("The connection was closed while a request was on it."))
                : Pump(0);
            if (over)
            {
                _ended = Stopwatch.GetTimestamp();
            }
        }

        if (over)
        {
            Finish();
        }
    }

    /// <summary>
    /// The request is over: its answer is complete (<see cref="Head"/>, the reader's body) or it failed
    /// (<see cref="TakeFailure"/>). Called outside the lock; take <see cref="Sync"/> to read the outcome, call
    /// <see cref="EndRequest"/> and keep or close the connection (<see cref="CloseLocked"/>), then deliver outside it.
    /// </summary>
    protected abstract void Finish();

    /// <summary>Under <see cref="Sync"/>: the connection carries no request any more; returns the bytes of the one that was on it.</summary>
    protected ReadOnlyMemory<byte> EndRequest()
    {
        var request = _request;
        _busy = false;
        _request = _unsent = default;
        return request;
    }

    /// <summary>Under <see cref="Sync"/>: the request's failure (null: its answer is complete), now taken.</summary>
    protected Exception? TakeFailure()
    {
        var failure = _failure;
        _failure = null;
        return failure;
    }

    /// <summary>Told of each receive when the connection observes them (see the constructor), before its bytes are parsed. On the loop's thread, under the lock.</summary>
    protected virtual void OnReceive(int bodyBytesBefore)
    {
    }

    void IHttp11ReceiveObserver.Received(int bodyBytesBefore) => OnReceive(bodyBytesBefore);

    /// <summary>
    /// The loop's events for this connection's socket (<paramref name="registration"/>: which of its sockets). True when
    /// they ended the request: the loop then runs <see cref="Complete"/> once it has received for every event of the
    /// batch, so that no request's continuation delays the receive of another answer of the same batch, and with it the
    /// moment it is dated (an answer that arrives while continuations run is dated at the next batch).
    /// </summary>
    internal bool OnEvents(uint events, uint registration)
    {
        bool over;
        TaskCompletionSource<int>? connected = null;
        var error = 0;
        lock (_lock)
        {
            if (registration != _registration || _socket is null)
            {
                return false; // an event of a socket this connection has closed since
            }

            if (_connectWait is not null)
            {
                (connected, _connectWait) = (_connectWait, null);
                error = _aborted ? 103 /* ECONNABORTED */ : LibC.PendingError(_fd);
                over = false;
            }
            else if (!_busy)
            {
                _unannounced |= (events & Readable) != 0;
                return false;
            }
            else
            {
                over = Pump(events);
            }
        }

        connected?.TrySetResult(error);
        return over;
    }

    /// <summary>Runs <see cref="Finish"/> for a request <see cref="OnEvents"/> ended.</summary>
    internal void Complete() => Finish();

    /// <summary>
    /// Under the lock: sends what is unsent, then receives and parses what the socket holds, as far as it goes without
    /// waiting. True when the request is over (its answer complete, or failed: <see cref="_failure"/>), dated
    /// <see cref="Ended"/>.
    /// </summary>
    private bool Pump(uint events)
    {
        if (PumpOnce(events))
        {
            _ended = Stopwatch.GetTimestamp();
            return true;
        }

        return false;
    }

    private bool PumpOnce(uint events)
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

    /// <summary>When (<see cref="Stopwatch"/> timestamp) the request was found over: its answer parsed, or its failure met.</summary>
    protected long Ended => _ended;

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

        _written = Stopwatch.GetTimestamp();
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
    /// Aborts a request in progress (its timeout fired, or the run ended): the socket is shut down under it, which the
    /// loop sees as an event, where the request fails. Any thread.
    /// </summary>
    public void Abort()
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
            _stopped = true;
            over = _busy && Failed(new IOException("The event loop stopped while a request was on the connection."));
            _ended = Stopwatch.GetTimestamp();
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

    /// <summary>Under <see cref="Sync"/>: <see cref="Close"/>.</summary>
    protected void CloseLocked()
    {
        var socket = _socket;
        _socket = null;
        _fd = -1;
        _connectWait = null;
        socket?.Dispose();
        _reader.Reset();
        Served = 0;
        _unannounced = false;
    }

    /// <summary>Closes the connection for good: its socket, and its place in the loop.</summary>
    public void Dispose()
    {
        Close();
        _loop.Detach(Slot);
        GC.SuppressFinalize(this);
    }
}
