namespace BenchMesh.Contracts.Runs;

/// <summary>Event: every benchmark of a run has been scored.</summary>
public sealed record SuiteRunCompleted
{
    public int SchemaVersion { get; init; } = 1;
    public required Guid RunId { get; init; }
    public required Guid AgentId { get; init; }
    public required string AgentVersion { get; init; }
    public required Guid SuiteId { get; init; }

    /// <summary><c>completed</c> when every benchmark succeeded, <c>failed</c> otherwise.</summary>
    public required string Status { get; init; }
    public required int Benchmarks { get; init; }
    public required double OverallScore { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>The workspace the run belongs to; null from runners before workspaces.</summary>
    public string? WorkspaceId { get; init; }
}
