using System.Diagnostics;
using System.Net.Sockets;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// One keep-alive HTTP/1.1 connection to an agent over .NET's sockets, used by one call at a time (lent by
/// <see cref="AgentSocketTransport"/> where its <see cref="EpollAgentConnection"/> is not to be had).
/// The answer is read by the load engine's <see cref="Http11ResponseReader"/> (services/LoadEngine/Transport), with
/// what an agent call needs besides: the body is always kept and handed over with the answer (it is parsed after the
/// connection has gone back to the pool), its Content-Type is read, and every receive is dated here, at the socket,
/// for the timestamps of <see cref="AgentAnswer"/>. Failures: <see cref="HttpIOException"/> for an answer that is not
/// HTTP/1.x or ends early, <see cref="IOException"/>/<see cref="SocketException"/> when the connection breaks.
/// </summary>
internal sealed class SocketAgentConnection : IAgentConnection, IHttp11ReceiveObserver
{
    private readonly Socket _socket;
    private readonly Http11ResponseReader _reader;
    private readonly AnswerClock _clock = new();

    public SocketAgentConnection(Socket socket, string authority)
    {
        _socket = socket;
        _reader = new Http11ResponseReader(observer: this, readContentType: true);
        Authority = authority;
    }

    public string Authority { get; }

    /// <summary>When the connection was made (<see cref="Stopwatch"/> timestamp): it is not reused past a lifetime.</summary>
    public long ConnectedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>When it was last given back idle.</summary>
    public long IdleSince { get; set; }

    /// <summary>Whether the current call received any byte of an answer (a request that did not may be sent again).</summary>
    public bool ReceivedAny => _reader.ReceivedAny;

    /// <summary>Whether the connection can carry the next request (the answer allowed keep-alive and was read to its end).</summary>
    public bool Reusable { get; private set; }

    /// <summary>Closes the socket under a call in progress (its timeout fired). Any thread.</summary>
    public void Abort() => _socket.Dispose();

    public void Dispose() => _socket.Dispose();

    /// <summary>Writes <paramref name="request"/> and reads the whole answer, timestamping each step at the socket.</summary>
    public async ValueTask<AgentAnswer> SendAsync(ReadOnlyMemory<byte> request, long started)
    {
        Reusable = false;
        _clock.Reset();
        var writeStarted = Stopwatch.GetTimestamp();
        var unsent = request;
        while (!unsent.IsEmpty)
        {
            var sent = await _socket.SendAsync(unsent, SocketFlags.None).ConfigureAwait(false);
            unsent = unsent[sent..];
        }

        var written = Stopwatch.GetTimestamp();
        var head = await _reader.ReadAsync(_socket, Http11BodyKeeping.All).ConfigureAwait(false);
        var body = _reader.TakeBody(out var bodyLength);
        Reusable = head.KeepAlive;
        return _clock.Answer(head, body, bodyLength, started, writeStarted, written);
    }

    /// <summary>Dates a receive, before its bytes are parsed (<see cref="AnswerClock.Received"/>).</summary>
    void IHttp11ReceiveObserver.Received(int bodyBytesBefore) => _clock.Received(bodyBytesBefore);
}
