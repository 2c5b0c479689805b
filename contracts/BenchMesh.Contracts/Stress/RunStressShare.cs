namespace BenchMesh.Contracts.Stress;

/// <summary>
/// Command: run one share of a distributed stress run (<c>workers</c> &gt; 1, docs/stress.md). The instance that accepted
/// the run publishes one per worker; Stress instances take them as competing consumers, one at a time each. Every share
/// runs the same scenario with its part of the load (<see cref="Parameters"/>: the rate, or the virtual users, divided;
/// connections divided) from the common <see cref="StartAt"/>, and answers with <see cref="StressShareCompleted"/>.
/// Carries no credential: the worker resolves the agent version through the Suites catalog, as the API does. A share
/// taken more than the start tolerance after <see cref="StartAt"/> is reported failed rather than run late.
/// </summary>
public sealed record RunStressShare
{
    public int SchemaVersion { get; init; } = 1;
    public required Guid StressRunId { get; init; }

    /// <summary>Which share, from 1 to <see cref="ShareCount"/>.</summary>
    public required int ShareIndex { get; init; }

    public required int ShareCount { get; init; }
    public required Guid AgentId { get; init; }
    public required string AgentVersion { get; init; }
    public required string Scenario { get; init; }

    /// <summary>The scenario's parameters for this share (snake_case names, as in <c>POST /stress/runs</c>).</summary>
    public required IReadOnlyDictionary<string, double> Parameters { get; init; }

    /// <summary>When every share starts its load.</summary>
    public required DateTimeOffset StartAt { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>The suite whose dataset items are the request bodies (the worker reads them from the catalog); null: the default prompt.</summary>
    public Guid? SuiteId { get; init; }

    /// <summary>With <see cref="SuiteId"/>: only this benchmark's items.</summary>
    public Guid? BenchmarkId { get; init; }
}
