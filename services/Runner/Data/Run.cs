namespace BenchMesh.Runner.Data;

/// <summary>Run and benchmark states, as stored and as the API reports them.</summary>
public static class RunStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Pending = "pending";

    public static bool IsFinal(string status) => status is Completed or Failed;
}

/// <summary>One execution of a suite against one agent version.</summary>
public sealed class Run
{
    /// <summary>The longest agent version a run records (the API refuses longer ones).</summary>
    public const int MaxAgentVersionLength = 100;

    public Guid RunId { get; set; }
    public Guid AgentId { get; set; }
    public required string AgentVersion { get; set; }
    public required string AgentName { get; set; }
    public Guid SuiteId { get; set; }

    /// <summary>The workspace the run belongs to: its caller's, or its schedule's (<see cref="Apis.RunAccess"/>).</summary>
    public required string WorkspaceId { get; set; }

    /// <summary>The effective configuration (JSON object, snake_case), as the API reports it.</summary>
    public required string ConfigurationJson { get; set; }
    public required string Status { get; set; }
    public int TotalBenchmarks { get; set; }
    public int CompletedBenchmarks { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public double? OverallScore { get; set; }
    public double? AccuracyScore { get; set; }
    public double? SpeedScore { get; set; }
    public double? EfficiencyScore { get; set; }
    public double? CostScore { get; set; }
    public double? ReliabilityScore { get; set; }

    /// <summary>When the run was last retried (<c>POST /benchmarks/runs/{run_id}/retry</c>); its deadline counts from then.</summary>
    public DateTimeOffset? RetriedAt { get; set; }

    public List<RunBenchmarkEntry> Benchmarks { get; set; } = [];
}

/// <summary>One benchmark of a run: its execution id and, once scored, its scores.</summary>
public sealed class RunBenchmarkEntry
{
    public const int MaxErrorMessageLength = 2000;

    public Guid ExecutionId { get; set; }
    public Guid RunId { get; set; }
    public Guid BenchmarkId { get; set; }
    public required string BenchmarkName { get; set; }

    /// <summary>The benchmark's position in the suite, to report benchmarks in suite order.</summary>
    public int Position { get; set; }
    public required string Status { get; set; }
    public double? AccuracyScore { get; set; }
    public double? SpeedScore { get; set; }
    public double? EfficiencyScore { get; set; }
    public double? CostScore { get; set; }
    public double? ReliabilityScore { get; set; }
    public double? OverallScore { get; set; }
    public long? TokensUsed { get; set; }
    public int? ApiCallsMade { get; set; }
    public decimal? CostUsd { get; set; }
    public double? MedianLatencyMs { get; set; }
    public DateTimeOffset? ScoredAt { get; set; }

    /// <summary>Why the benchmark failed without scores (its worker or Scoring gave up on it), for the report.</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>
    /// The last sign of life of the pending benchmark: a worker starting or still executing it (a heartbeat), its
    /// results being stored, a retry queueing it again. The supervisor fails a benchmark whose sign is too old.
    /// </summary>
    public DateTimeOffset? LastActivityAt { get; set; }
}
