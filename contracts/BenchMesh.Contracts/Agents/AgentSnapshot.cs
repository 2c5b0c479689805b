namespace BenchMesh.Contracts.Agents;

/// <summary>Prices of one agent version, in US dollars.</summary>
public sealed record Pricing(decimal InputPerMillionUsd, decimal OutputPerMillionUsd, decimal PerCallUsd)
{
    public static readonly Pricing Free = new(0m, 0m, 0m);

    /// <summary>The cost of one call that used the given tokens.</summary>
    public decimal CostOf(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillionUsd + outputTokens * OutputPerMillionUsd) / 1_000_000m + PerCallUsd;
}

/// <summary>
/// Everything a runner needs to call one agent version, captured when the run starts so that a run is
/// reproducible even if the agent's registration changes later.
/// </summary>
public sealed record AgentSnapshot
{
    public required Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public required string Version { get; init; }
    public required string Protocol { get; init; }
    public required string Endpoint { get; init; }
    public required Pricing Pricing { get; init; }

    /// <summary>The agent's workspace (the execution table's <c>workspace_id</c>); null for agents registered without one.</summary>
    public string? WorkspaceId { get; init; }

    /// <summary>The version's model configuration as a JSON object (model name, temperature, ...).</summary>
    public string ModelConfigurationJson { get; init; } = "{}";

    /// <summary>
    /// True when the agent has a credential. Credentials never travel in messages: a worker that needs one
    /// reads it from Suites over gRPC when it calls the agent.
    /// </summary>
    public bool HasApiKey { get; init; }
}
