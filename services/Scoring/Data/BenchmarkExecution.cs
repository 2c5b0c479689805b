namespace BenchMesh.Scoring.Data;

/// <summary>
/// A scored benchmark execution: a row of the specification's <c>benchmark_executions</c> table (§1.2), with its
/// column names, plus what BenchMesh adds (names, categories, cost, raw metrics, termination, warm-up and judge usage,
/// the phases the profile needs). docs/scoring.md defines every derived column.
/// </summary>
public sealed class BenchmarkExecution
{
    /// <summary>The column <c>id</c>; the API shows it as both <c>id</c> and <c>execution_id</c>.</summary>
    public Guid ExecutionId { get; set; }
    public Guid RunId { get; set; }
    public Guid AgentId { get; set; }
    public required string AgentName { get; set; }
    public required string AgentVersion { get; set; }

    /// <summary>
    /// The workspace whose run produced it (usually the agent's). The specification types it UUID NOT NULL, but BenchMesh workspaces are free strings and
    /// executions scored before it was carried have none: text, nullable.
    /// </summary>
    public string? WorkspaceId { get; set; }
    public Guid SuiteId { get; set; }
    public required string SuiteCategory { get; set; }
    public Guid BenchmarkId { get; set; }
    public required string BenchmarkName { get; set; }
    public required string BenchmarkCategory { get; set; }

    /// <summary>Worker, host, runtime, transport and endpoint fingerprint (JSON); null for schema-1 messages.</summary>
    public string? ExecutionEnvironment { get; set; }

    /// <summary>The agent version's model configuration (JSON object); null when it was not valid JSON.</summary>
    public string? ModelConfiguration { get; set; }

    public DateTimeOffset StartTime { get; set; }
    public DateTimeOffset EndTime { get; set; }

    /// <summary>When the run was requested (queue wait = start − this); null for schema-1 messages.</summary>
    public DateTimeOffset? RequestedAt { get; set; }
    public long TotalDurationMs { get; set; }

    public double AccuracyScore { get; set; }
    public double SpeedScore { get; set; }
    public double EfficiencyScore { get; set; }
    public double CostScore { get; set; }
    public double ReliabilityScore { get; set; }
    public double OverallScore { get; set; }

    /// <summary>Input + output tokens of the agent's measured calls (never the judge's, never warm-ups').</summary>
    public long TokensUsed { get; set; }
    public int ApiCallsMade { get; set; }
    public decimal CostUsd { get; set; }

    /// <summary>Measured on process agents only; a remote agent's memory and CPU cannot be seen (null).</summary>
    public double? MemoryPeakMb { get; set; }
    public double? CpuUsagePercent { get; set; }

    public double? OutputCorrectness { get; set; }
    public double? OutputCompleteness { get; set; }
    public double? OutputRelevance { get; set; }

    /// <summary>Among the same suite benchmark's executions of the 30 days before it was scored, on the overall score (0–100).</summary>
    public double? PercentileRank { get; set; }
    public double? DeviationFromBaseline { get; set; }

    /// <summary>One of <see cref="Scoring.BenchmarkExecutionStatuses"/>.</summary>
    public required string Status { get; set; }
    public string? ErrorDetails { get; set; }

    /// <summary>The raw metrics (snake_case JSON), so that scores can be recomputed.</summary>
    public required string Metrics { get; set; }
    public int WarmupRuns { get; set; }
    public int Iterations { get; set; }

    /// <summary>Configured concurrent calls (1 for schema-1 messages, which did not carry it).</summary>
    public int Concurrency { get; set; } = 1;
    public bool TerminatedEarly { get; set; }

    /// <summary>The constraint that stopped the benchmark (a TerminationReasons value), when, after how many calls, and why.</summary>
    public string? TerminationReason { get; set; }
    public double? TerminationAtMs { get; set; }
    public int? TerminationAfterCalls { get; set; }
    public string? TerminationDetail { get; set; }

    /// <summary>Warm-up calls (not measured, not in tokens_used or cost); null for schema-1 messages.</summary>
    public int? WarmupCalls { get; set; }
    public long? WarmupInputTokens { get; set; }
    public long? WarmupOutputTokens { get; set; }
    public decimal? WarmupCostUsd { get; set; }
    public double? WarmupDurationMs { get; set; }

    /// <summary>The judge's calls of a model-graded benchmark, apart from the agent's (0 otherwise).</summary>
    public int JudgeCalls { get; set; }
    public int JudgeUngradable { get; set; }
    public long JudgeInputTokens { get; set; }
    public long JudgeOutputTokens { get; set; }
    public decimal JudgeCostUsd { get; set; }
    public double JudgeDurationMs { get; set; }

    /// <summary>Scoring's own time for this execution (rubrics, scores, derived columns), for the profile.</summary>
    public double? ScoringMs { get; set; }

    /// <summary>The transaction that wrote the execution; set just after it commits (null if the service stopped in between).</summary>
    public double? PersistenceMs { get; set; }

    /// <summary>The <c>BenchmarkExecuted</c> schema version it was scored from (1 for rows stored before this column).</summary>
    public int MessageSchemaVersion { get; set; } = 1;
    public required string WorkerId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
