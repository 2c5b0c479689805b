using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using BenchMesh.LoadEngine.Transport.Epoll;
using BenchMesh.Outbound;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// The runner's timing path for agents over plain <c>http://</c>, with the load engine's discipline: the request's bytes
/// are encoded before the call's clock starts (<see cref="AgentRequest.ToHttp11"/>), connections are kept alive in a pool
/// per agent (host:port), and every moment is taken at the socket (<see cref="AgentAnswer"/>): the reported latency runs
/// from the request's last byte written to the answer's last byte read, so that neither the pool wait, nor the runner's
/// scheduling, nor HttpClient's pipeline (handlers, telemetry, the phase listener) is counted as the agent's.
/// <para>
/// The pool has no limit of its own: each call in flight holds one connection and gives it back after its answer, so a
/// benchmark at concurrency N keeps N connections (made lazily, the warm-up passes make them) and never waits for one.
/// Idle connections are reused last-in first-out; one idle longer than <see cref="IdleTimeout"/> or older than
/// <see cref="Lifetime"/> (the HttpClient registration's <c>PooledConnectionLifetime</c>, so a changed DNS answer is seen)
/// is closed instead. As SocketsHttpHandler, a request that fails on a reused connection before any byte of an answer
/// came back (the agent had closed it while idle) is sent once more on a new connection.
/// </para>
/// <para>
/// Every connection is opened by the <see cref="OutboundGuard"/> (<see cref="OutboundGuard.ConnectAsync"/>): the same
/// check, on the address actually connected to, as the HttpClient path's ConnectCallback. Like that path (the guard turns
/// redirects and proxies off), a 3xx is the agent's answer and no proxy is used. What this path does not do: TLS,
/// HTTP/2, decompression (nothing is asked for: no Accept-Encoding). <see cref="HttpAgentClient"/> sends https:// and
/// requests with unusual header values through HttpClient instead.
/// </para>
/// <para>
/// On Linux (x86-64, arm64) the connections live on event loops of the transport's own, the load engine's
/// <see cref="EpollLoop"/> (<see cref="EpollAgentConnection"/>), one per two cores, made at the first call: per call one
/// <c>send</c> and, on the loop's thread, the receives, the parse and the call's continuation, which sends the
/// benchmark's next call from there. Measured through a real worker, this took a third of the worker's CPU a call off
/// (docs/timing.md, "Seventh pass"): .NET's socket layer hands each receive to the thread pool and back. Elsewhere, or
/// with <c>useEventLoop: false</c>, each connection is a <see cref="SocketAgentConnection"/> over .NET's sockets; the
/// same tests run on both.
/// </para>
/// </summary>
public sealed class AgentSocketTransport(OutboundGuard guard, bool useEventLoop = true) : IDisposable
{
    /// <summary>A kept-alive connection idle longer than this is closed rather than reused (servers close theirs: nginx after 75 s, others sooner).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A connection is not reused past this age (as the agents HttpClient's PooledConnectionLifetime).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    // More idle connections than this per agent are closed: far above any benchmark's concurrency.
    private const int MaxIdlePerAgent = 1024;

    private readonly ConcurrentDictionary<string, IdleConnections> _idle = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<EpollLoop[]?> _loops = new(() => useEventLoop ? CreateLoops() : null);
    private int _connections;
    private int _loopTurn;
    private bool _disposed;

    /// <summary>Connections opened so far (for tests: keep-alive reuse shows as fewer connections than calls).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _connections);

    /// <summary>Whether this path can send <paramref name="request"/>: plain http:// with header values it can write as they are.</summary>
    public static bool CanSend(AgentRequest request) => request.Uri.Scheme == Uri.UriSchemeHttp && request.HasPlainHeaders;

    /// <summary>
    /// Sends the request and reads its whole answer. <paramref name="ct"/> ends the call (the socket is closed under it):
    /// <see cref="OperationCanceledException"/>. A refused address throws <see cref="OutboundAddressRefusedException"/>,
    /// an answer that is not HTTP/1.x or ends early <see cref="HttpIOException"/>, a broken connection
    /// <see cref="IOException"/> or <see cref="SocketException"/>.
    /// </summary>
    public Task<AgentAnswer> SendAsync(AgentRequest request, CancellationToken ct) =>
        // Encoded before the clock starts.
        SendAsync(request, request.ToHttp11(), ct);

    /// <summary>
    /// As <see cref="SendAsync(AgentRequest, CancellationToken)"/>, with the request's HTTP/1.1 bytes encoded by the caller
    /// (<see cref="AgentRequest.ToHttp11"/>, once for every call of the same request).
    /// </summary>
    public Task<AgentAnswer> SendAsync(AgentRequest request, ReadOnlyMemory<byte> bytes, CancellationToken ct) =>
        SendAsync(request, bytes, request.Uri.Authority, ct);

    /// <summary>
    /// As <see cref="SendAsync(AgentRequest, ReadOnlyMemory{byte}, CancellationToken)"/>, with the pool's key, the
    /// request's <see cref="Uri.Authority"/>, also taken by the caller once for all its calls (<see cref="Uri"/> builds the
    /// string anew each time it is asked).
    /// </summary>
    public async Task<AgentAnswer> SendAsync(AgentRequest request, ReadOnlyMemory<byte> bytes, string authority, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var connection = RentIdle(authority);
            var reused = connection is not null;
            connection ??= await ConnectAsync(request.Uri, authority, ct).ConfigureAwait(false);
            AgentAnswer answer;
            try
            {
                using (ct.UnsafeRegister(static c => ((IAgentConnection)c!).Abort(), connection))
                {
                    answer = await connection.SendAsync(bytes, started).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                connection.Dispose();
                ct.ThrowIfCancellationRequested();
                if (attempt == 0 && reused && !connection.ReceivedAny)
                {
                    continue; // the agent closed the idle connection before this request reached it
                }

                if (e is ObjectDisposedException)
                {
                    throw new IOException("The connection was closed while the call was on it.", e);
                }

                throw;
            }
            catch
            {
                connection.Dispose();
                throw;
            }

            Return(connection);
            return answer;
        }
    }

    /// <summary>Whether calls go through the transport's event loops (false: .NET's sockets).</summary>
    public bool UsesEventLoop => _loops.Value is not null;

    private async Task<IAgentConnection> ConnectAsync(Uri uri, string authority, CancellationToken ct)
    {
        if (_loops.Value is { } loops)
        {
            var connection = new EpollAgentConnection(loops[(uint)Interlocked.Increment(ref _loopTurn) % (uint)loops.Length], authority);
            try
            {
                await connection.ConnectAsync(uri.DnsSafeHost, uri.Port, guard.ResolveAsync, ct).ConfigureAwait(false);
                Interlocked.Increment(ref _connections);
                return connection;
            }
            catch (IOException e) when (e.InnerException is SocketException socket)
            {
                connection.Dispose();
                ExceptionDispatchInfo.Throw(socket); // as the guard's own connect throws it
                throw;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        var socketConnection = await guard.ConnectAsync(uri.DnsSafeHost, uri.Port, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _connections);
        return new SocketAgentConnection(socketConnection, authority);
    }

    /// <summary>One loop per two cores (at least one): a loop's thread receives, parses and runs the calls' continuations.</summary>
    private static EpollLoop[]? CreateLoops()
    {
        if (!EpollLoop.IsPlatformSupported)
        {
            return null;
        }

        var loops = new List<EpollLoop>();
        for (var i = 0; i < Math.Max(1, Environment.ProcessorCount / 2); i++)
        {
            if (EpollLoop.TryCreate(64, $"BenchMesh agent epoll {i}") is not { } loop)
            {
                break;
            }

            loops.Add(loop);
        }

        return loops.Count > 0 ? [.. loops] : null;
    }

    private IAgentConnection? RentIdle(string authority)
    {
        if (!_idle.TryGetValue(authority, out var idle))
        {
            return null;
        }

        while (idle.TryPop(out var connection))
        {
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(connection.IdleSince, now) < IdleTimeout && Stopwatch.GetElapsedTime(connection.ConnectedAt, now) < Lifetime)
            {
                return connection;
            }

            connection.Dispose();
        }

        return null;
    }

    private void Return(IAgentConnection connection)
    {
        if (!connection.Reusable || Volatile.Read(ref _disposed))
        {
            connection.Dispose();
            return;
        }

        var idle = _idle.GetOrAdd(connection.Authority, static _ => new IdleConnections());
        if (idle.Count >= MaxIdlePerAgent)
        {
            connection.Dispose();
            return;
        }

        connection.IdleSince = Stopwatch.GetTimestamp();
        idle.Push(connection);
    }

    /// <summary>
    /// An agent's idle connections, newest on top, with their count kept beside them: <see cref="ConcurrentStack{T}.Count"/>
    /// walks the whole stack, and <see cref="Return"/> asks for the count on every call. The count may be off by the calls
    /// in flight for a moment; it only bounds the stack.
    /// </summary>
    private sealed class IdleConnections
    {
        private readonly ConcurrentStack<IAgentConnection> _stack = new();
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Push(IAgentConnection connection)
        {
            _stack.Push(connection);
            Interlocked.Increment(ref _count);
        }

        public bool TryPop([MaybeNullWhen(false)] out IAgentConnection connection)
        {
            if (!_stack.TryPop(out connection))
            {
                return false;
            }

            Interlocked.Decrement(ref _count);
            return true;
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        foreach (var idle in _idle.Values)
        {
            while (idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }

        if (_loops.IsValueCreated && _loops.Value is { } loops)
        {
            foreach (var loop in loops)
            {
                loop.Dispose();
            }
        }
    }
}
