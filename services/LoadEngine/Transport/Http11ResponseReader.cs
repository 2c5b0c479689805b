using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// Reads HTTP/1.1 answers from one keep-alive connection's socket: a receive buffer kept across answers, the head
/// (status line; Content-Length, Transfer-Encoding, Connection, Content-Type when asked, Retry-After of a 429), interim
/// 1xx answers skipped, and the body read to its end by its length, chunk by chunk, or (with neither) until the server
/// closes (RFC 9112 §6.3). One type for the load engine's connection (<see cref="Http11Connection"/>: bodies discarded
/// or kept to be checked, no allocation per answer) and the Runner's agent connection (bodies kept and handed over with
/// <see cref="TakeBody"/>, every receive dated through <see cref="IHttp11ReceiveObserver"/>).
/// <para>
/// Failures: <see cref="HttpIOException"/> with <see cref="HttpRequestError.InvalidResponse"/> for an answer that is not
/// HTTP/1.x (or a head, chunk line or body beyond the limits), <see cref="HttpRequestError.ResponseEnded"/> when the
/// server closed before the answer was complete; the socket's own exceptions pass through. Used by one answer at a time.
/// </para>
/// </summary>
public sealed class Http11ResponseReader(IHttp11ReceiveObserver? observer = null, bool readContentType = false)
{
    /// <summary>The receive buffer's first size; it grows to hold a larger head.</summary>
    public const int BufferSize = 16 * 1024;

    /// <summary>The largest answer head (status line and headers) or chunk line accepted, as SocketsHttpHandler's default.</summary>
    public const int MaxHeadBytes = 64 * 1024;

    // A kept body buffer grown past this is let go before the next answer rather than kept for the connection's life;
    // a declared Content-Length larger than this is not allocated up front (the buffer grows as the bytes arrive).
    private const int MaxRetainedBody = 1024 * 1024;

    private byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private byte[] _body = [];
    private int _bodyLength;

    // The answer fed step by step (TryStep): where it is, its head, and what is left of a body or chunk.
    private Step _step;
    private Head _head;
    private bool _collect;
    private long _remaining;

    /// <summary>Whether any byte arrived since the last complete answer (or <see cref="Reset"/>): a request that failed with none may be sent again.</summary>
    public bool ReceivedAny { get; private set; }

    /// <summary>The last answer's kept body (empty when it was discarded).</summary>
    public ReadOnlySpan<byte> Body => _body.AsSpan(0, _bodyLength);

    /// <summary>
    /// Hands the last answer's kept body over (an array of at least <paramref name="length"/> bytes); the reader starts
    /// the next body in a new array. For a caller that reads the body after the connection has carried the next request.
    /// </summary>
    public byte[] TakeBody(out int length)
    {
        var body = _body;
        length = _bodyLength;
        _body = [];
        _bodyLength = 0;
        return body;
    }

    /// <summary>Forgets any unread bytes (the socket was closed; the next answer comes on a new one).</summary>
    public void Reset()
    {
        _start = _end = 0;
        _step = Step.None;
        ReceivedAny = false;
    }

    /// <summary>
    /// The room for the next receive at the start of an answer (see <see cref="TryReadBuffered"/>): after the unread
    /// bytes, made as <see cref="ReadAsync"/> makes it for a head. The caller receives into it and reports the count
    /// with <see cref="Received"/>.
    /// </summary>
    internal Memory<byte> ReceiveSpace() => Room(MaxHeadBytes);

    /// <summary>
    /// Takes <paramref name="count"/> bytes received into <see cref="ReceiveSpace"/>; 0 (the server closed) throws as a
    /// receive of <see cref="ReadAsync"/> would (<see cref="HttpRequestError.ResponseEnded"/>).
    /// </summary>
    internal void Received(int count)
    {
        if (count == 0)
        {
            throw new HttpIOException(HttpRequestError.ResponseEnded, "The server closed the connection before the answer was complete.");
        }

        Advance(count);
    }

    /// <summary>
    /// Reads the next answer without waiting when the unread bytes already hold all of it: a final (non-1xx) head and a
    /// body framed by Content-Length (or none), the usual small answer that comes in one receive. Returns false, and
    /// consumes nothing, otherwise; <see cref="ReadAsync"/> then reads the answer from those bytes on. What it reads, keeps
    /// and throws is what <see cref="ReadAsync"/> would. It lets the load engine's connection wait for an answer in its
    /// own state machine (one receive it awaits itself) instead of suspending this reader's as well, on every request.
    /// </summary>
    internal bool TryReadBuffered(Http11BodyKeeping keep, out Http11ResponseHead result)
    {
        result = default;
        int length;
        if (_start == _end || (length = HeadLength()) < 0)
        {
            return false;
        }

        var start = _start;
        var head = ParseHead(length);
        if (head.Status is >= 100 and < 200 && head.Status != 101
            || head.Framing is not (Framing.None or Framing.Length)
            || _end - _start < head.ContentLength)
        {
            _start = start; // ReadAsync parses it again, with the rest of the answer
            return false;
        }

        BeginAnswer();
        var collect = Collects(keep, head.Status);
        if (collect && head.ContentLength > _body.Length)
        {
            _body = new byte[Math.Min(head.ContentLength, MaxRetainedBody)];
        }

        Consume((int)head.ContentLength, collect);
        ReceivedAny = false;
        result = new Http11ResponseHead(head.Status, head.KeepAlive, head.RetryAfter, head.ContentType);
        return true;
    }

    /// <summary>
    /// Begins reading an answer fed by the caller (<see cref="TryStep"/>): an event loop that receives into
    /// <see cref="ReceiveSpace"/> itself, reports each receive with <see cref="Received"/>, and asks after each whether
    /// the answer is complete.
    /// </summary>
    internal void StartAnswer()
    {
        BeginAnswer();
        _step = Step.Head;
    }

    /// <summary>Whether bytes not yet parsed are in the buffer (an answer may be complete without a receive).</summary>
    internal bool HasUnread => _start < _end;

    /// <summary>
    /// Parses what the buffer holds of the answer begun with <see cref="StartAnswer"/> and returns true once it is
    /// complete, with its head in <paramref name="result"/>; false while it needs more bytes (what it parsed is kept).
    /// The same parsing as <see cref="ReadAsync"/>, step by step instead of awaiting receives in between: interim 1xx
    /// answers skipped, the body read by its length, chunk by chunk (extensions, trailers) or until the server closes
    /// (<see cref="EndAtClose"/>), kept as <paramref name="keep"/> says; the same exceptions.
    /// </summary>
    internal bool TryStep(Http11BodyKeeping keep, out Http11ResponseHead result)
    {
        result = default;
        while (true)
        {
            switch (_step)
            {
                case Step.Head:
                {
                    var length = HeadLength();
                    if (length < 0)
                    {
                        return false;
                    }

                    var head = ParseHead(length);
                    if (head.Status is >= 100 and < 200 && head.Status != 101)
                    {
                        continue;
                    }

                    _head = head;
                    _collect = Collects(keep, head.Status);
                    if (_collect && head.Framing == Framing.Length && head.ContentLength > _body.Length)
                    {
                        _body = new byte[Math.Min(head.ContentLength, MaxRetainedBody)];
                    }

                    (_step, _remaining) = head.Framing switch
                    {
                        Framing.Length => (Step.Body, head.ContentLength),
                        Framing.Chunked => (Step.ChunkLine, 0L),
                        Framing.UntilClose => (Step.UntilClose, 0L),
                        _ => (Step.Done, 0L),
                    };
                    break;
                }

                case Step.Body or Step.ChunkData:
                {
                    var take = (int)Math.Min(_remaining, _end - _start);
                    Consume(take, _collect);
                    _remaining -= take;
                    if (_remaining > 0)
                    {
                        return false;
                    }

                    _step = _step == Step.Body ? Step.Done : Step.ChunkEnd;
                    break;
                }

                case Step.ChunkLine:
                {
                    var lineEnd = LineEnd();
                    if (lineEnd < 0)
                    {
                        return false;
                    }

                    var size = ChunkSize(lineEnd);
                    (_step, _remaining) = size == 0 ? (Step.Trailers, 0L) : (Step.ChunkData, size);
                    break;
                }

                case Step.ChunkEnd:
                    if (_end - _start < 2)
                    {
                        return false;
                    }

                    if (_buffer[_start] != '\r' || _buffer[_start + 1] != '\n')
                    {
                        throw Invalid("A chunk does not end with CRLF.");
                    }

                    _start += 2;
                    _step = Step.ChunkLine;
                    break;

                case Step.Trailers:
                {
                    var lineEnd = LineEnd();
                    if (lineEnd < 0)
                    {
                        return false;
                    }

                    var empty = lineEnd == _start;
                    _start = lineEnd + 2;
                    if (empty)
                    {
                        _step = Step.Done;
                    }

                    break;
                }

                case Step.UntilClose:
                    Consume(_end - _start, _collect);
                    return false;

                case Step.Done:
                    _step = Step.None;
                    ReceivedAny = false;
                    result = new Http11ResponseHead(_head.Status, _head.KeepAlive, _head.RetryAfter, _head.ContentType);
                    return true;

                default:
                    throw new InvalidOperationException("No answer was started.");
            }
        }
    }

    /// <summary>
    /// The server closed the connection (a receive of 0 bytes) during the answer begun with <see cref="StartAnswer"/>:
    /// returns the answer when its body was the kind that ends with the connection, and throws as <see cref="ReadAsync"/>
    /// would (<see cref="HttpRequestError.ResponseEnded"/>) when it was not complete.
    /// </summary>
    internal Http11ResponseHead EndAtClose()
    {
        if (_step != Step.UntilClose)
        {
            Received(0);
        }

        Consume(_end - _start, _collect);
        _step = Step.Done;
        return TryStep(Http11BodyKeeping.None, out var result) ? result : throw new InvalidOperationException("Unreachable.");
    }

    /// <summary>
    /// Reads the next answer on <paramref name="socket"/> to its end, after the request was written. The body is kept
    /// (<see cref="Body"/>, <see cref="TakeBody"/>) as <paramref name="keep"/> says, otherwise drained.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Http11ResponseHead> ReadAsync(Socket socket, Http11BodyKeeping keep)
    {
        BeginAnswer();
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

        var collect = Collects(keep, head.Status);
        if (collect && head.Framing == Framing.Length && head.ContentLength > _body.Length)
        {
            // Sized by the declared length (up to a bound: a server's claim alone does not allocate a gigabyte).
            _body = new byte[Math.Min(head.ContentLength, MaxRetainedBody)];
        }

        switch (head.Framing)
        {
            case Framing.Length when _end - _start >= head.ContentLength:
                // The usual small answer: its body came with its head.
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

        ReceivedAny = false;
        return new Http11ResponseHead(head.Status, head.KeepAlive, head.RetryAfter, head.ContentType);
    }

    private void BeginAnswer()
    {
        if (_body.Length > MaxRetainedBody)
        {
            _body = [];
        }

        _bodyLength = 0;
    }

    private static bool Collects(Http11BodyKeeping keep, int status) =>
        keep == Http11BodyKeeping.All || (keep == Http11BodyKeeping.Success && status is >= 200 and <= 299);

    private async ValueTask ReadBodyAsync(Socket socket, long length, bool collect)
    {
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
                return; // the server's close ends this body
            }

            Advance(received);
        }
    }

    /// <summary>Makes room after the unread bytes (moving them to the front, or growing the buffer up to <paramref name="limit"/>) and receives.</summary>
    private ValueTask<int> ReceiveAsync(Socket socket, int limit) => socket.ReceiveAsync(Room(limit), SocketFlags.None);

    /// <summary>The free room after the unread bytes, made as <see cref="ReceiveAsync"/> describes.</summary>
    private Memory<byte> Room(int limit)
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

        return _buffer.AsMemory(_end);
    }

    private void Advance(int count)
    {
        // Dated first: the observer's clock is the receive's, before any of its bytes are parsed.
        observer?.Received(_bodyLength);
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
                if ((long)_bodyLength + bytes.Length > Array.MaxLength)
                {
                    throw Invalid("The answer's body is larger than a byte array can hold.");
                }

                var size = Math.Max((long)_body.Length * 2, Math.Max(4096L, (long)_bodyLength + bytes.Length));
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
        string? contentType = null;
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
            if (!IsReadHeaderLength(name.Length))
            {
                continue; // Server, Date and the like: no name we read has this length
            }

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
            else if (readContentType && Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                contentType = Encoding.Latin1.GetString(value);
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
            return new Head(status, Framing.None, 0, reuse, retryAfter, contentType);
        }

        if (transferEncoding)
        {
            return chunked
                ? new Head(status, Framing.Chunked, 0, reuse, retryAfter, contentType)
                : new Head(status, Framing.UntilClose, 0, false, retryAfter, contentType);
        }

        return contentLength >= 0
            ? new Head(status, Framing.Length, contentLength, reuse, retryAfter, contentType)
            : new Head(status, Framing.UntilClose, 0, false, retryAfter, contentType);
    }

    /// <summary>
    /// Whether a header name of this length can be one the head parser reads (Content-Length 14, Transfer-Encoding 17,
    /// Connection 10, Content-Type 12, Retry-After 11): a length test first skips the others' name comparisons, which
    /// the answer parser otherwise made for every header line of every answer.
    /// </summary>
    private static bool IsReadHeaderLength(int length) => length is 10 or 11 or 12 or 14 or 17;

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

    private enum Step
    {
        None,
        Head,
        Body,
        ChunkLine,
        ChunkData,
        ChunkEnd,
        Trailers,
        UntilClose,
        Done,
    }

    private enum Framing
    {
        None,
        Length,
        Chunked,
        UntilClose,
    }

    private readonly record struct Head(int Status, Framing Framing, long ContentLength, bool KeepAlive, TimeSpan? RetryAfter, string? ContentType);
}

/// <summary>What an answer read by <see cref="Http11ResponseReader"/> said about itself (its body is the reader's).</summary>
/// <param name="Status">The final status (interim 1xx answers are skipped).</param>
/// <param name="KeepAlive">Whether the connection can carry the next request (the body was read to its end).</param>
/// <param name="RetryAfter">A 429's Retry-After, as a delay; null otherwise.</param>
/// <param name="ContentType">The Content-Type as sent, when the reader was asked to read it.</param>
public readonly record struct Http11ResponseHead(int Status, bool KeepAlive, TimeSpan? RetryAfter, string? ContentType);

/// <summary>Which answers' bodies <see cref="Http11ResponseReader.ReadAsync"/> keeps; the others are drained.</summary>
public enum Http11BodyKeeping
{
    None,

    /// <summary>A 2xx answer's body (the load engine checks those).</summary>
    Success,

    /// <summary>Every body (the Runner parses a success and quotes an error).</summary>
    All,
}
