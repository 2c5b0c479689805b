using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// One keep-alive HTTP/1.1 connection: a TCP socket and its <see cref="Http11ResponseReader"/> (receive buffer, head
/// parser, framing), whose buffers are kept across requests, so a request costs no allocation. <see cref="SendAsync"/>
/// writes a request's bytes, then has the reader read the whole answer. A body is kept only when it is to be checked (a
/// 2xx of a body-checking protocol); other bodies are drained. The connection is used by one request at a time, lent
/// by its <see cref="ConnectionPool{TConnection}"/>.
/// </summary>
internal sealed class Http11Connection(ConnectionPool<Http11Connection> pool) : IPooledConnection
{
    private readonly Http11ResponseReader _reader = new();
    private volatile Socket? _socket;
    private volatile bool _aborted;

    public bool Busy { get; set; }

    public CancellationToken Token { get; set; }

    /// <summary>Connected, and neither closed nor aborted.</summary>
    public bool IsOpen => _socket is not null && !_aborted;

    /// <summary>Answers read on the current socket (0: a fresh connection).</summary>
    public int Served { get; private set; }

    /// <summary>
    /// Sends <paramref name="request"/> on this connection, which the pool lent for it, and reads its whole answer; gives
    /// the connection back to the pool at the end, whatever happened. Connects first when the connection is not open. A
    /// 2xx answer's body is checked by <paramref name="factory"/> when <paramref name="checkBodies"/>; a non-2xx is
    /// <c>http_&lt;status&gt;</c>. Throws <see cref="IOException"/> (with the <see cref="SocketException"/> inside) when
    /// the connection fails, <see cref="HttpIOException"/> when the answer ends early (ResponseEnded) or is not HTTP/1.x
    /// (InvalidResponse), <see cref="OperationCanceledException"/> when <paramref name="timeout"/> fired while connecting.
    /// As SocketsHttpHandler, a request that fails on a kept-alive connection before any byte of its answer arrived (the
    /// server had closed it: idle timeout, keepalive_requests) is sent once more on a new connection.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Exchange> SendAsync(ReadOnlyMemory<byte> request, RequestFactory factory, bool checkBodies, CancellationToken timeout)
    {
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                if (!IsOpen)
                {
                    await ConnectAsync(timeout).ConfigureAwait(false);
                }

                var reused = Served > 0;
                try
                {
                    var socket = _socket ?? throw new IOException("The connection is not open.");
                    var unsent = request[SendNow(socket, request.Span)..];
                    while (!unsent.IsEmpty)
                    {
                        var sent = await socket.SendAsync(unsent, SocketFlags.None).ConfigureAwait(false);
                        unsent = unsent[sent..];
                    }

                    // The answer's usual first receive is awaited here, and a small answer that came whole is read from
                    // it at once; only an answer that needs more receives goes on in the reader's own async method.
                    var keep = checkBodies ? Http11BodyKeeping.Success : Http11BodyKeeping.None;
                    if (!_reader.TryReadBuffered(keep, out var head))
                    {
                        _reader.Received(await socket.ReceiveAsync(_reader.ReceiveSpace(), SocketFlags.None).ConfigureAwait(false));
                        if (!_reader.TryReadBuffered(keep, out head))
                        {
                            head = await _reader.ReadAsync(socket, keep).ConfigureAwait(false);
                        }
                    }

                    var error = head.Status is < 200 or > 299 ? ErrorKinds.ForStatus(head.Status)
                        : checkBodies && !factory.IsValidAnswer(_reader.Body) ? ErrorKinds.InvalidBody
                        : null;
                    if (head.KeepAlive)
                    {
                        Served++;
                    }
                    else
                    {
                        Close();
                    }

                    return new Exchange(head.Status, error, head.RetryAfter, Stopwatch.GetTimestamp());
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
                {
                    var resend = attempt == 0 && reused && !_reader.ReceivedAny && !timeout.IsCancellationRequested;
                    Close();
                    if (resend)
                    {
                        continue; // the server closed the kept-alive connection before this request reached it
                    }

                    switch (ex)
                    {
                        case SocketException socketError:
                            throw new IOException(socketError.Message, socketError);
                        case ObjectDisposedException disposed:
                            throw new IOException("The connection was closed while a request was on it.", disposed);
                        default:
                            throw;
                    }
                }
            }
        }
        catch
        {
            Close();
            throw;
        }
        finally
        {
            pool.Return(this);
        }
    }

    /// <summary>
    /// Writes what of <paramref name="request"/> the socket takes now, in one non-blocking send (the socket is in
    /// non-blocking mode, see <see cref="ConnectAsync"/>), and returns how many bytes that was: the whole request, as a
    /// rule, and 0 when the send buffer is full (the caller awaits the rest). A failure throws the
    /// <see cref="SocketException"/> an awaited send would. One system call and no async machinery: measured with perf on
    /// <c>benchmesh stress</c>, the awaited send (socket event args, the send queue, its ValueTask) was a visible share of
    /// the generator's own CPU per request, for a send that never waits.
    /// </summary>
    private static int SendNow(Socket socket, ReadOnlySpan<byte> request)
    {
        var sent = socket.Send(request, SocketFlags.None, out var error);
        return error switch
        {
            SocketError.Success => sent,
            SocketError.WouldBlock => 0,
            _ => throw new SocketException((int)error),
        };
    }

    /// <summary>Opens a new socket (closing the old one, if any).</summary>
    private async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        Close();
        Socket socket;
        try
        {
            socket = await pool.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }

        // Non-blocking for the synchronous send of SendNow (a full send buffer says WouldBlock instead of blocking the
        // thread, which may be the socket engine's own); awaited sends and receives work the same either way.
        socket.Blocking = false;
        _aborted = false;
        _socket = socket;
        // A timeout that fired while the socket was connecting found nothing to abort: it is honoured here.
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Aborts a request in progress (its timeout fired): the socket is closed under it. Any thread.</summary>
    public void Abort()
    {
        _aborted = true;
        _socket?.Dispose();
    }

    /// <summary>Closes the socket; the next request connects again. The owning request's thread only.</summary>
    public void Close()
    {
        var socket = _socket;
        _socket = null;
        socket?.Dispose();
        _reader.Reset();
        Served = 0;
    }

    public void Dispose() => Close();
}
