using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// The phases of one HTTP call before the agent starts answering: waiting for a connection (pool wait and, on a
/// new connection, DNS + TCP + TLS) and writing the request. They are read from System.Net.Http's own telemetry
/// events (<see cref="HttpPhaseListener"/>): <c>RequestHeadersStart</c> is written when the request has its
/// connection and starts writing, <c>RequestHeadersStop</c>/<c>RequestContentStop</c> when it is written. A
/// DelegatingHandler cannot see either moment (it wraps the whole exchange), and a <c>ConnectCallback</c> times
/// connections, which the pool shares between requests, not requests. The events are raised synchronously on the
/// request's own async flow, so an <see cref="AsyncLocal{T}"/> set by the caller ties them to its call, also with
/// concurrent calls.
/// </summary>
public sealed class HttpCallPhases
{
    private static readonly AsyncLocal<HttpCallPhases?> CurrentCall = new();

    private readonly long _started = Stopwatch.GetTimestamp();
    private long _writeStarted;
    private long _written;

    internal static HttpCallPhases? Current => CurrentCall.Value;

    /// <summary>Pool wait + connect: from the call's start until it began writing. Null when it never got a connection.</summary>
    public double? ConnectMs => Volatile.Read(ref _writeStarted) is var start and not 0
        ? Stopwatch.GetElapsedTime(_started, start).TotalMilliseconds
        : null;

    /// <summary>Writing the headers and body. Null when the request was not completely written.</summary>
    public double? RequestWriteMs => (Volatile.Read(ref _writeStarted), Volatile.Read(ref _written)) is var (start, end) && start != 0 && end >= start
        ? Stopwatch.GetElapsedTime(start, end).TotalMilliseconds
        : null;

    /// <summary>Starts timing the calls made from the caller's async flow from now on.</summary>
    public static HttpCallPhases Begin()
    {
        HttpPhaseListener.EnsureStarted();
        var phases = new HttpCallPhases();
        CurrentCall.Value = phases;
        return phases;
    }

    // The first write start wins: a redirect or a retried connection attempt does not make the wait look shorter.
    internal void WriteStarted() => Interlocked.CompareExchange(ref _writeStarted, Stopwatch.GetTimestamp(), 0);

    internal void Written() => Volatile.Write(ref _written, Stopwatch.GetTimestamp());
}

/// <summary>
/// Listens to the <c>System.Net.Http</c> event source for the whole process (one instance, never disposed: an
/// EventListener is process-wide anyway) and hands the request-phase events to the current <see cref="HttpCallPhases"/>.
/// Events of requests made outside an agent call (gRPC to Suites, the broker's management API) find no current
/// call and are ignored.
/// </summary>
internal sealed class HttpPhaseListener : EventListener
{
    private static readonly Lazy<HttpPhaseListener> Instance = new(() => new HttpPhaseListener());

    public static void EnsureStarted() => _ = Instance.Value;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.Net.Http")
        {
            EnableEvents(eventSource, EventLevel.Informational);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (HttpCallPhases.Current is not { } phases)
        {
            return;
        }

        switch (eventData.EventName)
        {
            case "RequestHeadersStart":
                phases.WriteStarted();
                break;
            case "RequestHeadersStop" or "RequestContentStop":
                phases.Written();
                break;
        }
    }
}
