using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// One keep-alive HTTP/1.1 connection: a TCP socket, a receive buffer and a body buffer, both kept across requests, so a
/// request costs no allocation. <see cref="SendAsync"/> writes a request's bytes, then reads the answer: status line,
/// headers (Content-Length, Transfer-Encoding: chunked, Connection, and Retry-After of a 429), interim 1xx answers
/// skipped, and the body read to its end: by its length, chunk by chunk, or (with neither) until the server closes.
/// A body is kept only when it is to be checked (a 2xx of a body-checking protocol); other bodies are drained.
/// The connection is used by one request at a time, lent by its <see cref="ConnectionPool"/>.
/// </summary>
internal sealed class Http11Connection(ConnectionPool pool) : IDisposable
{
    /// <summary>The receive buffer's first size; it grows to hold a larger head.</summary>
    internal const int BufferSize = 16 * 1024;

    /// <summary>The largest answer head (status line and headers) accepted, as SocketsHttpHandler's default.</summary>
    internal const int MaxHeadBytes = 64 * 1024;

    // A body buffer grown past this is let go after its request rather than kept for the connection's life.
    private const int MaxRetainedBody = 1024 * 1024;

    private byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private byte[] _body = [];
    private int _bodyLength;
    private volatile Socket? _socket;
    private volatile bool _aborted;

    // The pool's bookkeeping, read and written under its lock only: whether a request holds the connection, and that
    // request's timeout (a timeout that fires aborts the connection, see ConnectionPool).
    internal bool Busy;
    internal CancellationToken Token;

    /// <summary>Connected, and neither closed nor aborted.</summary>
    public bool IsOpen => _socket is not null && !_aborted;

    /// <summary>Answers read on the current socket (0: a fresh connection).</summary>
    public int Served { get; private set; }

    /// <summary>Whether the current attempt received any byte of an answer.</summary>
    private bool ReceivedAny { get; set; }

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
                ReceivedAny = false;
                try
                {
                    var socket = _socket ?? throw new IOException("The connection is not open.");
                    var unsent = request;
                    while (!unsent.IsEmpty)
                    {
                        var sent = await socket.SendAsync(unsent, SocketFlags.None).ConfigureAwait(false);
                        unsent = unsent[sent..];
                    }

                    Head head;
                    do
                    {
                        int length;
                        while ((length = HeadLength()) < 0)
                        {
                            Received(await ReceiveAsync(socket, MaxHeadBytes).ConfigureAwait(false));
                        }

                        head = ParseHead(length);
                    }
                    while (head.Status is >= 100 and < 200 && head.Status != 101);

                    var success = head.Status is >= 200 and <= 299;
                    var collect = success && checkBodies;
                    _bodyLength = 0;
                    switch (head.Framing)
                    {
                        case Framing.Length when _end - _start >= head.ContentLength:
                            Consume((int)head.ContentLength, collect);
                            break;
                        case Framing.Length:
                            await ReadBodyAsync(socket, head.ContentLength, collect).ConfigureAwait(false);
                            break;
                        case Framing.Chunked:
                            await ReadChunkedAsync(socket, collect).ConfigureAwait(false);
                            break;
                        case Framing.UntilClose:
                            await ReadToEndAsync(socket, collect).ConfigureAwait(false);
                            break;
                    }

                    var error = !success ? ErrorKinds.ForStatus(head.Status)
                        : collect && !factory.IsValidAnswer(_body.AsSpan(0, _bodyLength)) ? ErrorKinds.InvalidBody
                        : null;
                    if (_body.Length > MaxRetainedBody)
                    {
                        _body = [];
                    }

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
                    Close();
                    if (attempt == 0 && reused && !ReceivedAny && !timeout.IsCancellationRequested)
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

        _aborted = false;
        _socket = socket;
        // A timeout that fired while the socket was connecting found nothing to abort: it is honoured here.
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Aborts a request in progress (its timeout fired): the socket is closed under it. Any thread.</summary>
    internal void Abort()
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
        _start = _end = 0;
        Served = 0;
    }

    public void Dispose() => Close();

    private async ValueTask ReadBodyAsync(Socket socket, long length, bool collect)
    {
        if (collect && length > _body.Length)
        {
            _body = new byte[(int)Math.Min(length, Array.MaxLength)];
        }

        while (true)
        {
            var take = (int)Math.Min(length, _end - _start);
            Consume(take, collect);
            length -= take;
            if (length == 0)
            {
                return;
            }

            Received(await ReceiveAsync(socket, BufferSize).ConfigureAwait(false));
        }
    }

    private async ValueTask ReadChunkedAsync(Socket socket, bool collect)
    {
        while (true)
        {
            int lineEnd;
            while ((lineEnd = LineEnd()) < 0)
            {
                Received(await ReceiveAsync(socket, MaxHeadBytes).ConfigureAwait(false));
            }

            var size = ChunkSize(lineEnd);
            if (size == 0)
            {
                break;
            }

            while (true)
            {
                var take = (int)Math.Min(size, _end - _start);
                Consume(take, collect);
                size -= take;
                if (size == 0)
                {
                    break;
                }

                Received(await ReceiveAsync(socket, BufferSize).ConfigureAwait(false));
            }

            while (_end - _start < 2)
            {
                Received(await ReceiveAsync(socket, MaxHeadBytes).ConfigureAwait(false));
            }

            if (_buffer[_start] != '\r' || _buffer[_start + 1] != '\n')
            {
                throw Invalid("A chunk does not end with CRLF.");
            }

            _start += 2;
        }

        // Trailers, if any, up to the empty line.
        while (true)
        {
            int lineEnd;
            while ((lineEnd = LineEnd()) < 0)
            {
                Received(await ReceiveAsync(socket, MaxHeadBytes).ConfigureAwait(false));
            }

            var empty = lineEnd == _start;
            _start = lineEnd + 2;
            if (empty)
            {
                return;
            }
        }
    }

    private async ValueTask ReadToEndAsync(Socket socket, bool collect)
    {
        while (true)
        {
            Consume(_end - _start, collect);
            var received = await ReceiveAsync(socket, BufferSize).ConfigureAwait(false);
            if (received == 0)
            {
                return;
            }

            _end += received;
            ReceivedAny = true;
        }
    }

    /// <summary>Makes room after the unread bytes (moving them to the front, or growing the buffer up to <paramref name="limit"/>) and receives.</summary>
    private ValueTask<int> ReceiveAsync(Socket socket, int limit)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else if (_buffer.Length < limit)
            {
                Array.Resize(ref _buffer, Math.Min(limit, _buffer.Length * 2));
            }
            else
            {
                throw Invalid($"The answer's head or a chunk line is longer than {limit / 1024} KiB.");
            }
        }

        return socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None);
    }

    private void Received(int count)
    {
        if (count == 0)
        {
            throw new HttpIOException(HttpRequestError.ResponseEnded, "The server closed the connection before the answer was complete.");
        }

        _end += count;
        ReceivedAny = true;
    }

    private void Consume(int count, bool collect)
    {
        if (collect)
        {
            var bytes = _buffer.AsSpan(_start, count);
            if (_bodyLength + bytes.Length > _body.Length)
            {
                var size = Math.Max((long)_body.Length * 2, Math.Max(4096L, (long)_bodyLength + bytes.Length));
                if ((long)_bodyLength + bytes.Length > Array.MaxLength)
                {
                    throw Invalid("The answer's body is larger than a byte array can hold.");
                }

                Array.Resize(ref _body, (int)Math.Min(size, Array.MaxLength));
            }

            bytes.CopyTo(_body.AsSpan(_bodyLength));
            _bodyLength += bytes.Length;
        }

        _start += count;
    }

    /// <summary>The length of the head (through its empty line) at the start of the unread bytes; -1 while incomplete.</summary>
    private int HeadLength()
    {
        var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : at + 4;
    }

    /// <summary>Where the next line's CR is in the buffer; -1 while incomplete.</summary>
    private int LineEnd()
    {
        var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
        return at < 0 ? -1 : _start + at;
    }

    /// <summary>Reads a chunk-size line (hexadecimal, extensions ignored) ending at <paramref name="lineEnd"/> and moves past it.</summary>
    private long ChunkSize(int lineEnd)
    {
        var line = _buffer.AsSpan(_start, lineEnd - _start);
        _start = lineEnd + 2;
        var semicolon = line.IndexOf((byte)';');
        var digits = (semicolon < 0 ? line : line[..semicolon]).Trim(" \t"u8);
        if (digits.IsEmpty || digits.Length > 15)
        {
            throw Invalid("A chunk size is missing or too large.");
        }

        long size = 0;
        foreach (var b in digits)
        {
            var digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => throw Invalid("A chunk size is not hexadecimal."),
            };
            size = size * 16 + digit;
        }

        return size;
    }

    /// <summary>Parses the head of <paramref name="length"/> bytes at the start of the unread bytes and moves past it.</summary>
    private Head ParseHead(int length)
    {
        var head = _buffer.AsSpan(_start, length - 4);
        _start += length;
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != ' '
            || !char.IsAsciiDigit((char)statusLine[9]) || !char.IsAsciiDigit((char)statusLine[10]) || !char.IsAsciiDigit((char)statusLine[11])
            || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            throw Invalid("The answer does not start with an HTTP/1.x status line.");
        }

        var http10 = statusLine[7] == '0';
        var status = (statusLine[9] - '0') * 100 + (statusLine[10] - '0') * 10 + (statusLine[11] - '0');
        long contentLength = -1;
        bool transferEncoding = false, chunked = false, close = false, keepAlive = false;
        TimeSpan? retryAfter = null;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t')
            {
                continue; // an obsolete folded continuation of the previous header: none of ours
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw Invalid("A header line has no name.");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long parsed, out var used) || used != value.Length || parsed < 0
                    || (contentLength >= 0 && contentLength != parsed))
                {
                    throw Invalid("The Content-Length is not a single non-negative number.");
                }

                contentLength = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                transferEncoding = true;
                var comma = value.LastIndexOf((byte)',');
                chunked = Ascii.EqualsIgnoreCase((comma < 0 ? value : value[(comma + 1)..]).Trim(" \t"u8), "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close |= HasToken(value, "close"u8);
                keepAlive |= HasToken(value, "keep-alive"u8);
            }
            else if (status == 429 && Ascii.EqualsIgnoreCase(name, "Retry-After"u8))
            {
                retryAfter = RetryAfter(value);
            }
        }

        // RFC 9112 §6.3: no body for 1xx, 204 and 304; chunked wins over Content-Length; a body of neither ends with the connection.
        var reuse = !close && (!http10 || keepAlive) && status != 101;
        if (status is < 200 or 204 or 304)
        {
            return new Head(status, Framing.None, 0, reuse, retryAfter);
        }

        if (transferEncoding)
        {
            return chunked ? new Head(status, Framing.Chunked, 0, reuse, retryAfter) : new Head(status, Framing.UntilClose, 0, false, retryAfter);
        }

        return contentLength >= 0
            ? new Head(status, Framing.Length, contentLength, reuse, retryAfter)
            : new Head(status, Framing.UntilClose, 0, false, retryAfter);
    }

    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Retry-After as HttpClient reads it: a delay in seconds, or an HTTP date (less now); null when it is neither.</summary>
    private static TimeSpan? RetryAfter(ReadOnlySpan<byte> value)
    {
        if (!RetryConditionHeaderValue.TryParse(Encoding.Latin1.GetString(value), out var parsed))
        {
            return null;
        }

        return parsed.Delta ?? (parsed.Date is { } date ? date - DateTimeOffset.UtcNow : null);
    }

    private static HttpIOException Invalid(string message) => new(HttpRequestError.InvalidResponse, message);

    private enum Framing
    {
        None,
        Length,
        Chunked,
        UntilClose,
    }

    private readonly record struct Head(int Status, Framing Framing, long ContentLength, bool KeepAlive, TimeSpan? RetryAfter);
}
