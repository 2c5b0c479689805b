using System.Buffers;
using System.Text;

namespace BenchMesh.Runner.Agents;

/// <summary>Reads a process agent's stdout in bounded pieces: an agent that writes without end must not fill the runner.</summary>
internal sealed class BoundedReader(Stream stream, int maxBytes)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>
    /// Everything up to end of stream; null when it passes <c>maxBytes</c> (the rest is left unread).
    /// <paramref name="firstData"/> runs when the first bytes arrive.
    /// </summary>
    public async Task<byte[]?> ReadToEndAsync(CancellationToken ct, Action? firstData = null)
    {
        var content = new ArrayBufferWriter<byte>();
        while (true)
        {
            var read = await stream.ReadAsync(_buffer, ct);
            if (read == 0)
            {
                return content.WrittenSpan.ToArray();
            }

            if (content.WrittenCount == 0)
            {
                firstData?.Invoke();
            }

            if (content.WrittenCount + read > maxBytes)
            {
                return null;
            }

            content.Write(_buffer.AsSpan(0, read));
        }
    }

    /// <summary>
    /// The next line without its <c>\n</c>; <see cref="LineResult.EndOfStream"/> when the stream ended first,
    /// <see cref="LineResult.TooLong"/> past <c>maxBytes</c>. Bytes after the line stay buffered for the next call.
    /// </summary>
    public async Task<(LineResult Result, byte[] Line)> ReadLineAsync(CancellationToken ct)
    {
        var line = new ArrayBufferWriter<byte>();
        while (true)
        {
            if (_start < _end)
            {
                var pending = _buffer.AsSpan(_start, _end - _start);
                var newline = pending.IndexOf((byte)'\n');
                var take = newline < 0 ? pending.Length : newline;
                if (line.WrittenCount + take > maxBytes)
                {
                    return (LineResult.TooLong, []);
                }

                line.Write(pending[..take]);
                _start += newline < 0 ? take : take + 1;
                if (newline >= 0)
                {
                    return (LineResult.Line, line.WrittenSpan.ToArray());
                }
            }

            _start = _end = 0;
            var read = await stream.ReadAsync(_buffer, ct);
            if (read == 0)
            {
                return (LineResult.EndOfStream, []);
            }

            _end = read;
        }
    }

    public enum LineResult
    {
        Line,
        EndOfStream,
        TooLong,
    }
}

/// <summary>Drains a process's stderr (a full pipe would block the agent) and keeps its last characters for error messages.</summary>
internal sealed class StderrTail
{
    private const int MaxChars = 2000;
    private readonly StringBuilder _tail = new();
    private readonly Lock _lock = new();
    private readonly Task _pump;

    public StderrTail(StreamReader stderr) => _pump = PumpAsync(stderr);

    /// <summary>The tail so far; after the process exited, <see cref="CompleteAsync"/> first for all of it.</summary>
    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _tail.ToString().Trim();
            }
        }
    }

    /// <summary>Waits (briefly) for the pipe to close, so that the tail holds the agent's last words.</summary>
    public async Task<string> CompleteAsync()
    {
        await Task.WhenAny(_pump, Task.Delay(TimeSpan.FromSeconds(1)));
        return Text;
    }

    private async Task PumpAsync(StreamReader stderr)
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await stderr.ReadAsync(buffer)) > 0)
            {
                lock (_lock)
                {
                    _tail.Append(buffer, 0, read);
                    if (_tail.Length > MaxChars)
                    {
                        _tail.Remove(0, _tail.Length - MaxChars);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process is gone.
        }
    }
}
