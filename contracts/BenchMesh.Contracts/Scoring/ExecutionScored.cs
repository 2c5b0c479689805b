namespace BenchMesh.Contracts.Scoring;

/// <summary>The five scores (each in [0, 1], higher is better) and their weighted overall score.</summary>
public sealed record Scores(
    double AccuracyScore,
    double SpeedScore,
    double EfficiencyScore,
    double CostScore,
    double ReliabilityScore,
    double OverallScore);

/// <summary>The raw metrics the scores are computed from, stored so scores can be recomputed.</summary>
public sealed record ExecutionMetrics
{
    public required int Samples { get; init; }
    public required int FailedSamples { get; init; }
    public required double Accuracy { get; init; }
    public required double ErrorRate { get; init; }
    public required double MeanLatencyMs { get; init; }
    public required double MedianLatencyMs { get; init; }
    public required double P95LatencyMs { get; init; }
    public required double MeanTokensPerTask { get; init; }
    public required double MeanCostPerTaskUsd { get; init; }
    public required long TokensUsed { get; init; }
    public required decimal TotalCostUsd { get; init; }
    public required int ApiCallsMade { get; init; }

    /// <summary>Per measured pass: accuracy, median latency, cost per task, error rate (for statistics).</summary>
    public IReadOnlyList<IterationMetrics> PerIteration { get; init; } = [];
}

/// <summary>Aggregates of one measured pass over the dataset.</summary>
public sealed record IterationMetrics(int Iteration, double Accuracy, double MedianLatencyMs, double MeanCostPerTaskUsd, double MeanTokensPerTask, double ErrorRate);

/// <summary>The values of <see cref="ExecutionScored.Status"/>.</summary>
public static class ExecutionStatuses
{
    /// <summary>At least one call succeeded.</summary>
    public const string Completed = "completed";

    /// <summary>Every measured call failed (or none was made).</summary>
    public const string Failed = "failed";
}

/// <summary>
/// Event: Scoring has validated and scored one benchmark execution. Published once per execution
/// (through Scoring's outbox; consumers are still idempotent on <see cref="ExecutionId"/>).
/// </summary>
public sealed record ExecutionScored
{
    public int SchemaVersion { get; init; } = 1;
    public required Guid ExecutionId { get; init; }
    public required Guid RunId { get; init; }
    public required Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public required string AgentVersion { get; init; }

    /// <summary>
    /// The agent's workspace (additive): consumers scope what they keep by it. Null in messages published before it was
    /// added, and for executions that carried none; readers then take the bootstrap workspace, <c>default</c>.
    /// </summary>
    public string? WorkspaceId { get; init; }
    public required Guid SuiteId { get; init; }
    public required string SuiteCategory { get; init; }
    public required Guid BenchmarkId { get; init; }
    public required string BenchmarkName { get; init; }
    public required string BenchmarkCategory { get; init; }

    /// <summary>One of <see cref="ExecutionStatuses"/>.</summary>
    public required string Status { get; init; }

    /// <summary>
    /// The specification's status of the execution (§1.2): <c>success</c>, <c>terminated</c> (stopped early by a limit,
    /// at least one call succeeded) or <c>failed</c>. Null in messages published before it was added; readers then take
    /// <see cref="Status"/> (<c>completed</c> → <c>success</c>, <c>failed</c> → <c>failed</c>).
    /// </summary>
    public string? ExecutionStatus { get; init; }
    public required Scores Scores { get; init; }
    public required ExecutionMetrics Metrics { get; init; }

    /// <summary>Per item: successes out of attempts across measured passes, for paired tests.</summary>
    public IReadOnlyDictionary<string, int[]> ItemOutcomes { get; init; } = new Dictionary<string, int[]>();
    public required DateTimeOffset ScoredAt { get; init; }
}
