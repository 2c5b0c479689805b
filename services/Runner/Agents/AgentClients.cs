namespace BenchMesh.Runner.Agents;

/// <summary>One call to an agent.</summary>
/// <param name="MaxTokens">Upper bound on output tokens asked of the agent (the benchmark's constraint), if any.</param>
/// <param name="ApiKey">Sent as <c>Authorization: Bearer</c> when present.</param>
public sealed record AgentCall(
    string Endpoint, string Input, string ModelConfigurationJson, int? MaxTokens, string? ApiKey, TimeSpan Timeout)
{
    /// <summary>The item's chat messages (JSON array), when it has them.</summary>
    public string? MessagesJson { get; init; }

    /// <summary><c>memory_limit_mb</c>: what a process agent's task may use (process clients enforce it).</summary>
    public double? MemoryLimitMb { get; init; }

    /// <summary>The benchmark execution the call belongs to: a json_lines process agent keeps one worker per execution.</summary>
    public Guid? ExecutionId { get; init; }
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

    /// <summary>Peak resident memory of a process agent's task, in MB (null for agents reached over HTTP).</summary>
    public double? PeakMemoryMb { get; init; }

    /// <summary>CPU time (user + system) of a process agent's task, in ms.</summary>
    public double? CpuTimeMs { get; init; }

    /// <summary>The limit (a TerminationReasons value) the client stopped the task for, with ErrorKind limit_exceeded.</summary>
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

    /// <summary>The execution's last call is done: release what its calls kept (a json_lines worker).</summary>
    ValueTask EndExecutionAsync(Guid executionId) => ValueTask.CompletedTask;
}

/// <summary>Finds the client for a protocol.</summary>
public sealed class AgentClientResolver(IEnumerable<IAgentClient> clients)
{
    private readonly Dictionary<string, IAgentClient> _clients = clients.ToDictionary(c => c.Protocol, StringComparer.OrdinalIgnoreCase);

    public IAgentClient? Find(string protocol) => _clients.GetValueOrDefault(protocol);
}

/// <summary>A response the client could not make sense of.</summary>
public sealed class InvalidAgentResponseException(string message) : Exception(message);
