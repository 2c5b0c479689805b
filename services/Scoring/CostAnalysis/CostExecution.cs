namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>The figures of one benchmark execution the cost analysis reads (a projection of <c>benchmark_executions</c>).</summary>
public sealed record CostExecution
{
    public Guid ExecutionId { get; init; }
    public Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public required ConfigurationKey Configuration { get; init; }
    public Guid SuiteId { get; init; }
    public Guid BenchmarkId { get; init; }
    public required string BenchmarkName { get; init; }

    /// <summary>success | terminated | failed (BenchmarkExecutionStatuses).</summary>
    public required string Status { get; init; }
    public string? TerminationReason { get; init; }

    /// <summary>What the agent's measured calls cost (cost_usd): never warm-ups, never the judge.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Measured calls that returned an answer (metrics.samples − metrics.failed_samples).</summary>
    public int SuccessfulTasks { get; init; }

    /// <summary>Measured calls that ended in an error (metrics.failed_samples).</summary>
    public int FailedTasks { get; init; }
    public double AccuracyScore { get; init; }
    public double SpeedScore { get; init; }
    public int WarmupRuns { get; init; }
    public decimal WarmupCostUsd { get; init; }
    public int JudgeCalls { get; init; }
    public decimal JudgeCostUsd { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The specification's performance score (§8.1): accuracy × speed.</summary>
    public double PerformanceScore => AccuracyScore * SpeedScore;

    /// <summary>Everything the execution paid for: the agent's measured calls, its warm-ups and the judge.</summary>
    public decimal TotalSpendUsd => CostUsd + WarmupCostUsd + JudgeCostUsd;
}
