using System.Diagnostics;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// An answer read by <see cref="AgentSocketTransport"/>, with its timestamps taken at the socket
/// (<see cref="Stopwatch.GetTimestamp"/>): <see cref="Started"/> when the call asked for a connection,
/// <see cref="WriteStarted"/> when it had one, <see cref="Written"/> when the last request byte was handed to the
/// socket, <see cref="FirstByte"/> when the first byte of the answer came back and <see cref="LastByte"/> when the
/// body was complete. <see cref="Marks"/> say how much of the (de-chunked) body had arrived at each receive, so that a
/// streamed answer's events can be dated after the fact (<see cref="OpenBody"/>).
/// </summary>
public sealed class AgentAnswer
{
    public required int Status { get; init; }
    public string? ContentType { get; init; }
    public required byte[] Body { get; init; }
    public required int BodyLength { get; init; }
    public required long Started { get; init; }
    public required long WriteStarted { get; init; }
    public required long Written { get; init; }
    public required long FirstByte { get; init; }
    public required long LastByte { get; init; }

    /// <summary>Pairs of (body bytes available, timestamp of the receive that made them available), in order.</summary>
    public required IReadOnlyList<(int Length, long At)> Marks { get; init; }

    public double ConnectMs => Stopwatch.GetElapsedTime(Started, WriteStarted).TotalMilliseconds;

    public double RequestWriteMs => Stopwatch.GetElapsedTime(WriteStarted, Written).TotalMilliseconds;

    /// <summary>The reported latency: request written → last byte of the answer.</summary>
    public double LatencyMs => Stopwatch.GetElapsedTime(Written, LastByte).TotalMilliseconds;

    /// <summary>
    /// The body as a stream that hands it out receive by receive (a read never crosses a mark), and a clock that says,
    /// for what has been read so far, how long after the request was written it arrived. A reader that stops at an
    /// event (SSE) therefore dates that event by the receive that completed it, not by when it was parsed.
    /// </summary>
    public (Stream Body, Func<double> ElapsedMs) OpenBody()
    {
        var stream = new MarkedBodyStream(this);
        return (stream, () => Stopwatch.GetElapsedTime(Written, stream.ReadUpTo).TotalMilliseconds);
    }

    private sealed class MarkedBodyStream(AgentAnswer answer) : Stream
    {
        private int _position;
        private int _mark;

        /// <summary>When the bytes read so far had all arrived.</summary>
        public long ReadUpTo { get; private set; } = answer.FirstByte;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_mark < answer.Marks.Count && answer.Marks[_mark].Length <= _position)
            {
                _mark++;
            }

            var limit = _mark < answer.Marks.Count ? answer.Marks[_mark].Length : answer.BodyLength;
            var take = Math.Min(buffer.Length, limit - _position);
            if (take <= 0)
            {
                return 0;
            }

            answer.Body.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            ReadUpTo = _mark < answer.Marks.Count ? answer.Marks[_mark].At : answer.LastByte;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => answer.BodyLength;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
