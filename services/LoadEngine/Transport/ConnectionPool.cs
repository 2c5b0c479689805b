using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// At most <c>limit</c> connections (<see cref="Http11Connection"/>, <see cref="EpollConnection"/>), each lent to one request at a time. A request that finds none
/// free waits in line (first come, first served) and is handed the next one returned. Connections are made lazily and
/// kept when their socket closes (the next request connects again), so the pool never holds more than its limit.
/// <para>
/// A waiting request continues on the thread that returned the connection (no thread-pool hop: the open model at a
/// high rate keeps every connection busy, and a hop per request would cost more than the request), except when such
/// hand-overs nest (an answer that was already there), which go to the thread pool. Waiters are pooled.
/// </para>
/// <para>
/// Timeouts cost no timer and no registration per request: requests carry their time slice's token
/// (<see cref="Execution.TimeoutSlices"/>), the pool registers once on each new token it sees, and when one fires it
/// aborts every connection a request holds with a fired token (its socket is closed under the request, which fails as
/// a timeout) and cancels every waiter whose token fired.
/// </para>
/// </summary>
internal sealed class ConnectionPool<TConnection>(int limit, EndPoint endpoint, TargetConnector? connector, Func<ConnectionPool<TConnection>, int, TConnection> create) : IDisposable
    where TConnection : class, IPooledConnection
{
    private readonly Lock _lock = new();
    private readonly List<TConnection> _all = [];
    private readonly Stack<TConnection> _idle = new();
    private readonly Queue<Waiter> _waiters = new();
    private readonly Stack<Waiter> _freeWaiters = new();
    private readonly List<CancellationTokenRegistration> _registrations = [];
    private CancellationToken _watched;
    private bool _disposed;

    /// <summary>Connections made so far (at most the limit).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>Where the connections go.</summary>
    public EndPoint EndPoint => endpoint;

    /// <summary>Whether the run opens its connections through a <see cref="TargetConnector"/>.</summary>
    public bool HasConnector => connector is not null;

    /// <summary>
    /// A new connection's socket, connected: through the run's <see cref="TargetConnector"/> when it has one, else
    /// straight to the endpoint. Throws <see cref="SocketException"/> when it cannot connect.
    /// </summary>
    public async ValueTask<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        if (connector is not null)
        {
            var (host, port) = endpoint switch
            {
                DnsEndPoint dns => (dns.Host, dns.Port),
                IPEndPoint ip => (ip.Address.ToString(), ip.Port),
                _ => throw new NotSupportedException($"Cannot connect to a {endpoint.GetType().Name}."),
            };
            return await connector(host, port, cancellationToken).ConfigureAwait(false);
        }

        var socket = endpoint is IPEndPoint address ? new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A connection for one request, now or when one is returned; <paramref name="timeout"/> ends the wait.</summary>
    public ValueTask<TConnection> RentAsync(CancellationToken timeout)
    {
        TConnection? connection = null;
        Waiter? waiter = null;
        bool watch;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            watch = timeout.CanBeCanceled && timeout != _watched;
            if (watch)
            {
                _watched = timeout;
            }

            if (_idle.TryPop(out connection) || _all.Count >= limit)
            {
                // Reused, or none left to make.
            }
            else
            {
                connection = create(this, _all.Count);
                _all.Add(connection);
            }

            if (connection is not null)
            {
                connection.Busy = true;
                connection.Token = timeout;
            }
            else
            {
                waiter = _freeWaiters.TryPop(out var free) ? free : new Waiter(this);
                waiter.Reset(timeout);
                _waiters.Enqueue(waiter);
            }
        }

        if (watch)
        {
            // Outside the lock: a token that has already fired runs Sweep here and now.
            var registration = timeout.UnsafeRegister(static pool => ((ConnectionPool<TConnection>)pool!).Sweep(), this);
            lock (_lock)
            {
                _registrations.Add(registration);
            }
        }

        return connection is not null ? new ValueTask<TConnection>(connection) : new ValueTask<TConnection>(waiter!, waiter!.Version);
    }

    /// <summary>Gives a connection back (open or closed): to the first request in line, else to the idle ones.</summary>
    public void Return(TConnection connection)
    {
        Waiter? next = null;
        lock (_lock)
        {
            if (_disposed)
            {
                connection.Dispose();
                return;
            }

            while (_waiters.TryDequeue(out var waiter))
            {
                // A waiter's outcome is decided under this lock only (Done), and delivered outside it.
                if (!waiter.Done)
                {
                    waiter.Done = true;
                    connection.Token = waiter.Token;
                    next = waiter;
                    break;
                }
            }

            if (next is null)
            {
                connection.Busy = false;
                connection.Token = default;
                _idle.Push(connection);
            }
        }

        next?.Deliver(connection, null);
    }

    /// <summary>A token fired: abort the connections held by requests whose token fired, and cancel such waiters.</summary>
    private void Sweep()
    {
        List<TConnection>? expired = null;
        List<Waiter>? cancelled = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var connection in _all)
            {
                if (connection.Busy && connection.Token.IsCancellationRequested)
                {
                    (expired ??= []).Add(connection);
                }
            }

            foreach (var waiter in _waiters)
            {
                if (!waiter.Done && waiter.Token.IsCancellationRequested)
                {
                    waiter.Done = true;
                    (cancelled ??= []).Add(waiter);
                }
            }

            if (cancelled is not null)
            {
                // Out of the line at once: a waiter is reused once its wait is over, and must be in the line once at most.
                var remaining = _waiters.Where(w => !w.Done).ToArray();
                _waiters.Clear();
                foreach (var waiter in remaining)
                {
                    _waiters.Enqueue(waiter);
                }
            }
        }

        foreach (var waiter in cancelled ?? [])
        {
            waiter.Deliver(null, new OperationCanceledException(waiter.Token));
        }

        // Outside the lock: closing a socket may run its pending operation's continuation on this thread.
        foreach (var connection in expired ?? [])
        {
            connection.Abort();
        }
    }

    private void Recycle(Waiter waiter)
    {
        lock (_lock)
        {
            if (_freeWaiters.Count < limit * 4)
            {
                _freeWaiters.Push(waiter);
            }
        }
    }

    public void Dispose()
    {
        TConnection[] all;
        Waiter[] waiting;
        CancellationTokenRegistration[] registrations;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            all = [.. _all];
            waiting = [.. _waiters];
            registrations = [.. _registrations];
            _waiters.Clear();
            _idle.Clear();
            _registrations.Clear();
            waiting = [.. waiting.Where(w => !w.Done)];
            foreach (var waiter in waiting)
            {
                waiter.Done = true;
            }
        }

        foreach (var waiter in waiting)
        {
            waiter.Deliver(null, new IOException("The load run ended before a connection was free."));
        }

        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        foreach (var connection in all)
        {
            connection.Abort();
        }
    }

    /// <summary>
    /// A request waiting for a connection, with its timeout: an <see cref="IValueTaskSource{TResult}"/> reused from
    /// request to request. <see cref="Done"/> (under the pool's lock) says its outcome was decided.
    /// </summary>
    private sealed class Waiter(ConnectionPool<TConnection> pool) : IValueTaskSource<TConnection>
    {
        // Hand-overs that nest deeper than this on one thread go to the thread pool instead.
        private const int MaxInlineDepth = 4;

        [ThreadStatic]
        private static int t_depth;

        private ManualResetValueTaskSourceCore<TConnection> _core;

        public CancellationToken Token { get; private set; }

        public bool Done { get; set; }

        public short Version => _core.Version;

        public void Reset(CancellationToken token)
        {
            _core.Reset();
            Token = token;
            Done = false;
        }

        /// <summary>Completes the wait (outside the pool's lock), running the request on this thread when it can.</summary>
        public void Deliver(TConnection? connection, Exception? error)
        {
            if (t_depth >= MaxInlineDepth)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Waiter.Complete(state.Connection, state.Error), (Waiter: this, Connection: connection, Error: error), preferLocal: false);
                return;
            }

            t_depth++;
            try
            {
                Complete(connection, error);
            }
            finally
            {
                t_depth--;
            }
        }

        public TConnection GetResult(short token)
        {
            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                pool.Recycle(this);
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        private void Complete(TConnection? connection, Exception? error)
        {
            if (error is not null)
            {
                _core.SetException(error);
            }
            else
            {
                _core.SetResult(connection!);
            }
        }
    }
}
