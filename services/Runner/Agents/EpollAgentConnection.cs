using System.Diagnostics;
using System.Net;
using System.Threading.Tasks.Sources;
using BenchMesh.LoadEngine.Transport;
using BenchMesh.LoadEngine.Transport.Epoll;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// One keep-alive HTTP/1.1 connection to an agent on <see cref="AgentSocketTransport"/>'s event loop (the load engine's
/// <see cref="EpollHttp11Connection"/>: connected by itself to the addresses the outbound guard vetted, one <c>send</c>
/// on the calling thread, receives and parsing on the loop's thread). It keeps every body, reads the Content-Type, and
/// dates every receive before its bytes are parsed (<see cref="OnReceive"/>), as <see cref="SocketAgentConnection"/>
/// does. The call's awaiter runs on the loop's thread when the answer is complete (the connection is its own
/// <see cref="IValueTaskSource{TResult}"/>, reset per call): the benchmark's next call is then sent from there, as
/// wrk's loop does, with no hop to the thread pool and back per call (docs/timing.md, "Seventh pass").
/// </summary>
internal sealed class EpollAgentConnection(EpollLoop loop, string authority)
    : EpollHttp11Connection(loop, Http11BodyKeeping.All, readContentType: true, observeReceives: true), IAgentConnection, IValueTaskSource<AgentAnswer>
{
    private readonly AnswerClock _clock = new();
    private ManualResetValueTaskSourceCore<AgentAnswer> _call;
    private long _started;
    private long _writeStarted;
    private bool _receivedAny;

    public string Authority { get; } = authority;

    public long ConnectedAt { get; private set; }

    public long IdleSince { get; set; }

    public bool ReceivedAny => Volatile.Read(ref _receivedAny);

    public bool Reusable { get; private set; }

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> through the addresses <paramref name="resolver"/>
    /// vetted (the outbound guard's: a refused address throws its <see cref="Outbound.OutboundAddressRefusedException"/>).
    /// </summary>
    public async ValueTask ConnectAsync(string host, int port, TargetResolver resolver, CancellationToken ct)
    {
        await ConnectAsync(new DnsEndPoint(host, port), resolver, connect: null, ct).ConfigureAwait(false);
        ConnectedAt = Stopwatch.GetTimestamp();
    }

    public ValueTask<AgentAnswer> SendAsync(ReadOnlyMemory<byte> request, long started)
    {
        Reusable = false;
        _receivedAny = false;
        _clock.Reset();
        _started = started;
        _call.Reset();
        var awaited = new ValueTask<AgentAnswer>(this, _call.Version);
        _writeStarted = Stopwatch.GetTimestamp();
        Start(request);
        return awaited;
    }

    /// <summary>Dates a receive, before its bytes are parsed (<see cref="AnswerClock.Received"/>); on the loop's thread.</summary>
    protected override void OnReceive(int bodyBytesBefore) => _clock.Received(bodyBytesBefore);

    /// <summary>The call is over: the answer (the connection kept if it may carry the next) or the failure (closed).</summary>
    protected override void Finish()
    {
        AgentAnswer? answer = null;
        Exception? failure;
        lock (Sync)
        {
            EndRequest();
            failure = TakeFailure();
            _receivedAny = Reader.ReceivedAny;
            if (failure is null)
            {
                var head = Head;
                var body = Reader.TakeBody(out var bodyLength);
                Reusable = head.KeepAlive && !PeerClosed;
                if (Reusable)
                {
                    Served++;
                }
                else
                {
                    CloseLocked();
                }

                answer = _clock.Answer(head, body, bodyLength, _started, _writeStarted, Written);
            }
            else
            {
                CloseLocked();
            }
        }

        if (answer is not null)
        {
            _call.SetResult(answer);
        }
        else
        {
            _call.SetException(failure!);
        }
    }

    AgentAnswer IValueTaskSource<AgentAnswer>.GetResult(short token) => _call.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<AgentAnswer>.GetStatus(short token) => _call.GetStatus(token);

    void IValueTaskSource<AgentAnswer>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _call.OnCompleted(continuation, state, token, flags);
}
