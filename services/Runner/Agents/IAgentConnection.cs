namespace BenchMesh.Runner.Agents;

/// <summary>
/// One keep-alive HTTP/1.1 connection to an agent, used by one call at a time (lent by <see cref="AgentSocketTransport"/>):
/// on Linux an <see cref="EpollAgentConnection"/> on the transport's own event loop, elsewhere a
/// <see cref="SocketAgentConnection"/> over .NET's sockets. Both read the answer with the load engine's
/// <see cref="LoadEngine.Transport.Http11ResponseReader"/>, keep its body, read its Content-Type and date every receive at
/// the socket. Failures: <see cref="HttpIOException"/> for an answer that is not HTTP/1.x or ends early,
/// <see cref="IOException"/> or <see cref="System.Net.Sockets.SocketException"/> when the connection breaks.
/// </summary>
internal interface IAgentConnection : IDisposable
{
    /// <summary>The pool's key: the agent's host:port.</summary>
    string Authority { get; }

    /// <summary>When the connection was made (<see cref="System.Diagnostics.Stopwatch"/> timestamp): it is not reused past a lifetime.</summary>
    long ConnectedAt { get; }

    /// <summary>When it was last given back idle.</summary>
    long IdleSince { get; set; }

    /// <summary>Whether the current call received any byte of an answer (a request that did not may be sent again).</summary>
    bool ReceivedAny { get; }

    /// <summary>Whether the connection can carry the next request (the answer allowed keep-alive and was read to its end).</summary>
    bool Reusable { get; }

    /// <summary>Closes the socket under a call in progress (its timeout fired). Any thread.</summary>
    void Abort();

    /// <summary>
    /// Writes <paramref name="request"/> and reads the whole answer, timestamping each step at the socket;
    /// <paramref name="started"/> is when the call asked for a connection.
    /// </summary>
    ValueTask<AgentAnswer> SendAsync(ReadOnlyMemory<byte> request, long started);
}
