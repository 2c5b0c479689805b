using System.Diagnostics;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// One connection's dating of an answer, for both kinds of agent connection (<see cref="SocketAgentConnection"/>,
/// <see cref="EpollAgentConnection"/>): told of each receive before its bytes are parsed (<see cref="Received"/>), it
/// keeps the first byte's moment, the last receive's, and for each receive how much of the body had arrived before it
/// (<see cref="AgentAnswer.Marks"/>), and makes the <see cref="AgentAnswer"/> when the answer is complete.
/// </summary>
internal sealed class AnswerClock
{
    private List<(int, long)> _marks = [];
    private long _firstByte;
    private long _lastReceive;

    /// <summary>Forgets the previous answer's moments (a new call begins).</summary>
    public void Reset()
    {
        _marks = [];
        _firstByte = _lastReceive = 0;
    }

    /// <summary>
    /// Dates a receive, before its bytes are parsed: the first is the answer's first byte; each later one closes the
    /// previous receive's mark (the body bytes available by then, and when they arrived).
    /// </summary>
    public void Received(int bodyBytesBefore)
    {
        var now = Stopwatch.GetTimestamp();
        if (_firstByte == 0)
        {
            _firstByte = now;
        }
        else
        {
            _marks.Add((bodyBytesBefore, _lastReceive));
        }

        _lastReceive = now;
    }

    /// <summary>The complete answer: its head, the body the reader kept, and the call's moments before the answer.</summary>
    public AgentAnswer Answer(Http11ResponseHead head, byte[] body, int bodyLength, long started, long writeStarted, long written)
    {
        // The last receive completed the answer (one with no body ends with its head).
        _marks.Add((bodyLength, _lastReceive));
        return new AgentAnswer
        {
            Status = head.Status,
            ContentType = head.ContentType,
            Body = body,
            BodyLength = bodyLength,
            Started = started,
            WriteStarted = writeStarted,
            Written = written,
            FirstByte = _firstByte,
            LastByte = _lastReceive,
            Marks = _marks,
        };
    }
}
