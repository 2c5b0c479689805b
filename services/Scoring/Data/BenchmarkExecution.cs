namespace BenchMesh.Scoring.Data;

/// <summary>A scored benchmark execution: a row of the seed's <c>benchmark_executions</c> table.</summary>
public sealed class BenchmarkExecution
{
    public Guid ExecutionId { get; set; }
    public Guid RunId { get; set; }
    public Guid AgentId { get; set; }
    public required string AgentName { get; set; }
    public required string AgentVersion { get; set; }
    public Guid SuiteId { get; set; }
    public required string SuiteCategory { get; set; }
    public Guid BenchmarkId { get; set; }
    public required string BenchmarkName { get; set; }
    public required string BenchmarkCategory { get; set; }
    public double AccuracyScore { get; set; }
    public double SpeedScore { get; set; }
    public double EfficiencyScore { get; set; }
    public double CostScore { get; set; }
    public double ReliabilityScore { get; set; }
    public double OverallScore { get; set; }
    public long ExecutionTimeMs { get; set; }
    public long TokensUsed { get; set; }
    public int ApiCallsMade { get; set; }
    public decimal CostUsd { get; set; }
    public required string Status { get; set; }
    public string? ErrorMessage { get; set; }

    /// <summary>The raw metrics (snake_case JSON), so that scores can be recomputed.</summary>
    public required string Metrics { get; set; }
    public int WarmupRuns { get; set; }
    public int Iterations { get; set; }
    public bool TerminatedEarly { get; set; }
    public required string WorkerId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset CompletedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One raw sample of an execution with its verdict.</summary>
public sealed class ExecutionSample
{
    public long Id { get; set; }
    public Guid ExecutionId { get; set; }
    public int Iteration { get; set; }
    public required string ItemId { get; set; }
    public string? Output { get; set; }
    public string? Expected { get; set; }
    public double DurationMs { get; set; }
    public double? TtftMs { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public bool TokensReported { get; set; }
    public decimal CostUsd { get; set; }
    public string? ErrorKind { get; set; }
    public string? Error { get; set; }
    public int? HttpStatus { get; set; }

    /// <summary>Null when the sample could not be scored (e.g. a model-graded rubric).</summary>
    public double? Score { get; set; }
    public bool? Correct { get; set; }
    public required string Reason { get; set; }
}
