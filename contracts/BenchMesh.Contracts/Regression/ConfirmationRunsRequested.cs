namespace BenchMesh.Contracts.Regression;

/// <summary>
/// Event: the regression engine found a version borderline on a benchmark (worse than its baseline at the screening
/// level, not yet confirmed) and says how many more measured passes would settle it. Whoever can run benchmarks (the
/// Runner) re-runs that benchmark for that agent version with <see cref="AdditionalRuns"/> iterations, as in run
/// <see cref="BasedOnRunId"/>; the resulting <c>ExecutionScored</c> is pooled with the version's earlier executions.
/// Published once per agent version and benchmark. On RabbitMQ: the fanout exchange
/// <c>BenchMesh.Contracts.Regression:ConfirmationRunsRequested</c>, MassTransit's JSON envelope (see docs/events.md).
/// </summary>
public sealed record ConfirmationRunsRequested
{
    public int SchemaVersion { get; init; } = 1;

    /// <summary>Id of this request; also the envelope's message id. Derived from agent, version and benchmark.</summary>
    public required Guid RequestId { get; init; }
    public required Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public required string AgentVersion { get; init; }
    public required Guid SuiteId { get; init; }
    public required Guid BenchmarkId { get; init; }
    public required string BenchmarkName { get; init; }

    /// <summary>The borderline metrics (<see cref="RegressionMetrics"/>).</summary>
    public required IReadOnlyList<string> Metrics { get; init; }

    /// <summary>Measured passes to add: the most any borderline metric needs, at most the runner's iteration limit.</summary>
    public required int AdditionalRuns { get; init; }

    /// <summary>The run of the version's latest execution of the benchmark, whose configuration a re-run reuses.</summary>
    public required Guid BasedOnRunId { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
