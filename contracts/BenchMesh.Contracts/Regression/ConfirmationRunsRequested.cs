using System.Security.Cryptography;
using System.Text;

namespace BenchMesh.Contracts.Regression;

/// <summary>
/// Event: the regression engine found a version borderline on a benchmark (worse than its baseline at the screening
/// level, not yet confirmed) and says how many more measured passes would settle it. Whoever can run benchmarks (the
/// Runner) re-runs that benchmark for that agent version with <see cref="AdditionalRuns"/> iterations, as in run
/// <see cref="BasedOnRunId"/>; the resulting <c>ExecutionScored</c> is pooled with the version's earlier executions.
/// Published once per agent version, benchmark and confirmation round. With <see cref="BaselineVersion"/> (schema 2) the
/// re-runs are interleaved: <see cref="Pairs"/> pairs of runs, candidate then baseline (A B A B …), each run one after
/// the other on the same benchmark with the same items in the same order, every run carrying
/// <see cref="StepRunId"/> as its run id, so that the Regression service can judge the candidate against the baseline
/// on runs made side by side, whatever batch effect separated the two original runs. On RabbitMQ: the fanout exchange
/// <c>BenchMesh.Contracts.Regression:ConfirmationRunsRequested</c>, MassTransit's JSON envelope (see docs/events.md).
/// </summary>
public sealed record ConfirmationRunsRequested
{
    public int SchemaVersion { get; init; } = 2;

    /// <summary>Pairs of interleaved runs (candidate, baseline) per confirmation round: A B A B.</summary>
    public const int InterleavedPairs = 2;

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

    /// <summary>
    /// The version the candidate is compared with (schema 2): re-run interleaved with the candidate. Null (schema 1):
    /// only the candidate is re-run, with <see cref="AdditionalRuns"/> passes in one run whose id is <see cref="RequestId"/>.
    /// </summary>
    public string? BaselineVersion { get; init; }

    /// <summary>Interleaved pairs to run (schema 2); each run of a pair has ⌈<see cref="AdditionalRuns"/> / pairs⌉ passes, at least 2.</summary>
    public int Pairs { get; init; } = InterleavedPairs;

    /// <summary>Passes in each run of an interleaved pair: the additional runs spread over the pairs, at least 2 (a batch of one shows no spread).</summary>
    public int PassesPerStep => Math.Max(2, (AdditionalRuns + Math.Max(1, Pairs) - 1) / Math.Max(1, Pairs));

    /// <summary>
    /// The run id of step <paramref name="step"/> of an interleaved request (even steps the candidate, odd the baseline;
    /// step 0 is the request id itself). Derived, so that the Runner and the Regression service agree on it without asking.
    /// </summary>
    public static Guid StepRunId(Guid requestId, int step) => step == 0
        ? requestId
        : new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"confirm-step/{requestId:N}/{step}")).AsSpan(0, 16));
}
