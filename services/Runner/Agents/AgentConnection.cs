using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// One keep-alive HTTP/1.1 connection to an agent, used by one call at a time (lent by <see cref="AgentSocketTransport"/>).
/// The load engine's connection (services/LoadEngine/Transport/Http11Connection.cs) with what an agent call needs
/// besides: the answer's body is always kept (it is parsed), its Content-Type is read, and the socket-level timestamps
/// of <see cref="AgentAnswer"/> are taken. Bodies are framed by Content-Length, chunked transfer coding, or the
/// connection's end; interim 1xx answers are skipped. Failures: <see cref="HttpIOException"/> for an answer that is not
/// HTTP/1.x or ends early, <see cref="IOException"/>/<see cref="SocketException"/> when the connection breaks.
/// </summary>
internal sealed class AgentConnection(Socket socket, string authority) : IDisposable
{
    private const int BufferSize = 16 * 1024;
    private const int MaxHeadBytes = 64 * 1024;

    private byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private byte[] _body = [];
    private int _bodyLength;
    private List<(int, long)> _marks = [];
    private long _firstByte;
    private long _lastReceive;

    public string Authority { get; } = authority;

    /// <summary>When the connection was made (<see cref="Stopwatch"/> timestamp): it is not reused past a lifetime.</summary>
    public long ConnectedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>When it was last given back idle.</summary>
    public long IdleSince { get; set; }

    /// <summary>Answers read on it; a reused connection (Served &gt; 0) may have been closed by the server meanwhile.</summary>
    public int Served { get; private set; }

    /// <summary>Whether the current call received any byte of an answer (a request that did not may be sent again).</summary>
    public bool ReceivedAny { get; private set; }

    /// <summary>Whether the connection can carry the next request (the answer allowed keep-alive and was read to its end).</summary>
    public bool Reusable { get; private set; }

    /// <summary>Closes the socket under a call in progress (its timeout fired). Any thread.</summary>
    public void Abort() => socket.Dispose();

    public void Dispose() => socket.Dispose();

    /// <summary>Writes <paramref name="request"/> and reads the whole answer, timestamping each step at the socket.</summary>
    public async Task<AgentAnswer> SendAsync(ReadOnlyMemory<byte> request, long started)
    {
        Reusable = false;
        ReceivedAny = false;
        _bodyLength = 0;
        _body = [];
        _marks = [];
        _firstByte = _lastReceive = 0;
        var writeStarted = Stopwatch.GetTimestamp();
        var unsent = request;
        while (!unsent.IsEmpty)
        {
            var sent = await socket.SendAsync(unsent, SocketFlags.None).ConfigureAwait(false);
            unsent = unsent[sent..];
        }

        var written = Stopwatch.GetTimestamp();
        Head head;
        do
        {
            int length;
            while ((length = HeadLength()) < 0)
            {
                await ReceiveAsync(MaxHeadBytes).ConfigureAwait(false);
            }

            head = ParseHead(length);
        }
        while (head.Status is >= 100 and < 200 && head.Status != 101);

        switch (head.Framing)
        {
            case Framing.Length:
                await ReadBodyAsync(head.ContentLength).ConfigureAwait(false);
                break;
            case Framing.Chunked:
                await ReadChunkedAsync().ConfigureAwait(false);
                break;
            case Framing.UntilClose:
                await ReadToEndAsync().ConfigureAwait(false);
                break;
        }

        // A response with no body ends with its head.
        var lastByte = _lastReceive;
        _marks.Add((_bodyLength, lastByte));
        Served++;
        Reusable = head.KeepAlive;
        return new AgentAnswer
        {
            Status = head.Status,
            ContentType = head.ContentType,
            Body = _body,
            BodyLength = _bodyLength,
            Started = started,
            WriteStarted = writeStarted,
            Written = written,
            FirstByte = _firstByte,
            LastByte = lastByte,
            Marks = _marks,
        };
    }

    private async Task ReadBodyAsync(long length)
    {
        if (length > Array.MaxLength)
        {
            throw Invalid("The answer's body is larger than a byte array can hold.");
        }

        _body = new byte[length];
        while (true)
        {
            var take = (int)Math.Min(length, _end - _start);
            Consume(take);
            length -= take;
            if (length == 0)
            {
                return;
            }

            await ReceiveAsync(BufferSize).ConfigureAwait(false);
        }
    }

    private async Task ReadChunkedAsync()
    {
        while (true)
        {
            int lineEnd;
            while ((lineEnd = LineEnd()) < 0)
            {
                await ReceiveAsync(MaxHeadBytes).ConfigureAwait(false);
            }

            var size = ChunkSize(lineEnd);
            if (size == 0)
            {
                break;
            }

            while (true)
            {
                var take = (int)Math.Min(size, _end - _start);
                Consume(take);
                size -= take;
                if (size == 0)
                {
                    break;
                }

                await ReceiveAsync(BufferSize).ConfigureAwait(false);
            }

            while (_end - _start < 2)
            {
                await ReceiveAsync(MaxHeadBytes).ConfigureAwait(false);
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
                await ReceiveAsync(MaxHeadBytes).ConfigureAwait(false);
            }

            var empty = lineEnd == _start;
            _start = lineEnd + 2;
            if (empty)
            {
                return;
            }
        }
    }

    private async Task ReadToEndAsync()
    {
        while (true)
        {
            Consume(_end - _start);
            if (!await ReceiveAsync(BufferSize, endIsFine: true).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Receives into the buffer (making room first) and dates the body bytes decoded so far by the previous receive.
    /// False when the server closed the connection and <paramref name="endIsFine"/>; otherwise that is an answer that
    /// ended early.
    /// </summary>
    private async Task<bool> ReceiveAsync(int limit, bool endIsFine = false)
    {
        if (_firstByte != 0)
        {
            _marks.Add((_bodyLength, _lastReceive));
        }

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

        var count = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None).ConfigureAwait(false);
        if (count == 0)
        {
            if (endIsFine)
            {
                return false;
            }

            throw new HttpIOException(HttpRequestError.ResponseEnded, "The agent closed the connection before its answer was complete.");
        }

        _lastReceive = Stopwatch.GetTimestamp();
        if (_firstByte == 0)
        {
            _firstByte = _lastReceive;
        }

        _end += count;
        ReceivedAny = true;
        return true;
    }

    private void Consume(int count)
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
        _start += count;
    }

    private int HeadLength()
    {
        var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : at + 4;
    }

    private int LineEnd()
    {
        var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
        return at < 0 ? -1 : _start + at;
    }

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
        string? contentType = null;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t')
            {
                continue;
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
            else if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                contentType = Encoding.Latin1.GetString(value);
            }
        }

        // RFC 9112 §6.3: no body for 1xx, 204 and 304; chunked wins over Content-Length; a body of neither ends with the connection.
        var reuse = !close && (!http10 || keepAlive) && status != 101;
        if (status is < 200 or 204 or 304)
        {
            return new Head(status, Framing.None, 0, reuse, contentType);
        }

        if (transferEncoding)
        {
            return chunked ? new Head(status, Framing.Chunked, 0, reuse, contentType) : new Head(status, Framing.UntilClose, 0, false, contentType);
        }

        return contentLength >= 0
            ? new Head(status, Framing.Length, contentLength, reuse, contentType)
            : new Head(status, Framing.UntilClose, 0, false, contentType);
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

    private static HttpIOException Invalid(string message) => new(HttpRequestError.InvalidResponse, message);

    private enum Framing
    {
        None,
        Length,
        Chunked,
        UntilClose,
    }

    private readonly record struct Head(int Status, Framing Framing, long ContentLength, bool KeepAlive, string? ContentType);
}
