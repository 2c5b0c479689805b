namespace BenchMesh.Contracts.Runs;

/// <summary>
/// Command: execute one benchmark of a run against one agent version. Consumed by any runner worker
/// (competing consumers); a redelivery re-executes and republishes under the same <see cref="ExecutionId"/>,
/// which Scoring de-duplicates.
/// </summary>
public sealed record RunBenchmark
{
    public int SchemaVersion { get; init; } = 1;
    public required Guid RunId { get; init; }

    /// <summary>Identifies this benchmark's execution within the run; stable across redeliveries.</summary>
    public required Guid ExecutionId { get; init; }

    public required Guid SuiteId { get; init; }
    public required string SuiteCategory { get; init; }
    public required Agents.AgentSnapshot Agent { get; init; }
    public required BenchmarkDefinition Benchmark { get; init; }
    public required RunConfiguration Configuration { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>The workspace the run belongs to (whose caller started it); null from runners before workspaces.</summary>
    public string? WorkspaceId { get; init; }
}
