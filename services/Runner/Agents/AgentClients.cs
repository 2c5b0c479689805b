using BenchMesh.Contracts.Agents;

namespace BenchMesh.Runner.Agents;

/// <summary>One call to an agent.</summary>
/// <param name="MaxTokens">Upper bound on output tokens asked of the agent (the benchmark's constraint), if any.</param>
/// <param name="ApiKey">Sent as <c>Authorization: Bearer</c> when present.</param>
public sealed record AgentCall(
    string Endpoint, string Input, string ModelConfigurationJson, int? MaxTokens, string? ApiKey, TimeSpan Timeout)
{
    /// <summary>
    /// The item's chat message list (JSON array of <c>{role, content}</c>); <c>openai-chat</c> sends it as the
    /// messages. Null: <see cref="Input"/> is one user message.
    /// </summary>
    public string? MessagesJson { get; init; }

    /// <summary>
    /// The benchmark's <c>memory_limit_mb</c>, for a client that can see the task's memory (process agents) and stops
    /// it there, reporting <see cref="AgentCallResult.ExceededLimit"/>. Clients of remote agents ignore it.
    /// </summary>
    public double? MemoryLimitMb { get; init; }

    /// <summary>The benchmark execution the call belongs to (a json_lines process agent keeps one worker per execution).</summary>
    public Guid? ExecutionId { get; init; }

    /// <summary>
    /// What <see cref="IAgentClient.Prepare"/> encoded once for this call (the request's bytes), so that a call made on
    /// every pass is not encoded again each time; null: the client encodes it on each call. Only the client that made it
    /// reads it, and only for the values it was made from: a copy with another input, endpoint, configuration or key
    /// (<c>with</c>) is encoded afresh.
    /// </summary>
    public object? Prepared { get; init; }
}

/// <summary>
/// What a call produced: an output and the usage the agent reported, or an error kind
/// (<see cref="Contracts.Runs.SampleErrorKinds"/>). Token counts are null when the agent did not report them.
/// </summary>
public sealed record AgentCallResult
{
    public string? Output { get; init; }
    public double DurationMs { get; init; }
    public double? TimeToFirstTokenMs { get; init; }
    public long? InputTokens { get; init; }
    public long? OutputTokens { get; init; }
    public string? ErrorKind { get; init; }
    public string? Error { get; init; }
    public int? HttpStatus { get; init; }

    /// <summary>Input tokens served from the agent's prompt cache, when its usage details say so.</summary>
    public long? CachedInputTokens { get; init; }

    /// <summary>Waiting for a connection (pool wait + connect), where the transport lets it be seen.</summary>
    public double? ConnectMs { get; init; }

    /// <summary>Writing the request once connected, where the transport lets it be seen.</summary>
    public double? RequestWriteMs { get; init; }

    /// <summary>Peak resident memory of the task (process agents), MiB.</summary>
    public double? PeakMemoryMb { get; init; }

    /// <summary>CPU time (user + system) of the task (process agents).</summary>
    public double? CpuTimeMs { get; init; }

    /// <summary>
    /// Set (to a <see cref="Contracts.Runs.TerminationReasons"/> value) by a client that stopped the task because it
    /// went over a per-task limit it enforces itself (the process client: <c>memory_limit</c>). The sample then fails
    /// as <c>limit_exceeded</c> and the benchmark terminates early, whatever the protocol.
    /// </summary>
    public string? ExceededLimit { get; init; }

    public bool Succeeded => ErrorKind is null;

    public static AgentCallResult Failure(string kind, string error, double durationMs, int? httpStatus = null) =>
        new() { ErrorKind = kind, Error = error, DurationMs = durationMs, HttpStatus = httpStatus };
}

/// <summary>Calls agents of one protocol. Never throws for an agent's misbehaviour: that is a failed result.</summary>
public interface IAgentClient
{
    string Protocol { get; }

    Task<AgentCallResult> CallAsync(AgentCall call, CancellationToken ct);

    /// <summary>
    /// The call, prepared to be made many times: the executor sends each item once per pass (warm-ups and measured passes),
    /// and a client that can encode its request up front (the HTTP clients: body, headers and the HTTP/1.1 bytes) does it
    /// here, once, instead of on every call. Never throws: a call that cannot be prepared is returned as it is, and fails
    /// when made, as it would have. Default: the call as it is.
    /// </summary>
    AgentCall Prepare(AgentCall call) => call;

    /// <summary>How this client reaches the agent, for the execution's environment (e.g. <c>http/1.1</c>).</summary>
    string DescribeTransport(AgentSnapshot agent) => agent.Protocol;

    /// <summary>
    /// A scope for one benchmark execution's calls: disposing it releases what the client kept for them (a json_lines
    /// process worker). Null when the client keeps nothing.
    /// </summary>
    IAsyncDisposable? OpenExecution(Guid executionId) => null;
}

/// <summary>Finds the client for a protocol.</summary>
public sealed class AgentClientResolver(IEnumerable<IAgentClient> clients)
{
    private readonly Dictionary<string, IAgentClient> _clients = clients.ToDictionary(c => c.Protocol, StringComparer.OrdinalIgnoreCase);

    public IAgentClient? Find(string protocol) => _clients.GetValueOrDefault(protocol);
}

/// <summary>A response the client could not make sense of.</summary>
public sealed class InvalidAgentResponseException(string message) : Exception(message);
