namespace BenchMesh.Contracts.Stress;

/// <summary>
/// Event: a stress run against an agent version has finished. Schema 2 (additive): figures over all the scenario's
/// phases (latency percentiles from the merged histograms, measured from each request's intended start; achieved rate
/// = the highest any phase reached), requests the generator dropped, and the scenario's resilience score, scaling
/// limits and recommendations (docs/stress.md).
/// </summary>
public sealed record StressTestCompleted
{
    public int SchemaVersion { get; init; } = 2;
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

    /// <summary>Requests the generator could not start (its in-flight pool was full): load the agent never saw.</summary>
    public long Dropped { get; init; }

    /// <summary>In [0, 1]; null when the run failed.</summary>
    public double? ResilienceScore { get; init; }

    /// <summary>E.g. <c>max_sustained_rps</c>, <c>max_ok_input_chars</c>, <c>peak_concurrency</c>.</summary>
    public IReadOnlyDictionary<string, double> ScalingLimits { get; init; } = new Dictionary<string, double>();

    public IReadOnlyList<string> Recommendations { get; init; } = [];
    public required DateTimeOffset CompletedAt { get; init; }
}
