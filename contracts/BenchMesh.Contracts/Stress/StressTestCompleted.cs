namespace BenchMesh.Contracts.Stress;

/// <summary>Event: a stress run against an agent version has finished.</summary>
public sealed record StressTestCompleted
{
    public int SchemaVersion { get; init; } = 1;
    public required Guid StressRunId { get; init; }
    public required Guid AgentId { get; init; }
    public required string AgentVersion { get; init; }
    public required string Scenario { get; init; }
    public required string Status { get; init; }
    public required long Requests { get; init; }
    public required long Errors { get; init; }
    public required double ErrorRate { get; init; }
    public required double AchievedRps { get; init; }
    public required double P50LatencyMs { get; init; }
    public required double P95LatencyMs { get; init; }
    public required double P99LatencyMs { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
}
