namespace BenchMesh.Contracts.Runs;

/// <summary>One dataset item: an input, what is expected, and optionally its own rubric.</summary>
public sealed record DatasetItem
{
    public required string Id { get; init; }
    public required string Input { get; init; }
    public string? Expected { get; init; }

    /// <summary>A rubric for this item only (JSON object), overriding the benchmark's.</summary>
    public string? RubricJson { get; init; }

    /// <summary>
    /// Every acceptable answer when there are several (the suite's <c>expected_outputs</c> entry for this item);
    /// <see cref="Expected"/> is the first of them. Null or empty: <see cref="Expected"/> alone.
    /// </summary>
    public IReadOnlyList<string>? AcceptedOutputs { get; init; }

    /// <summary>
    /// The input as a chat message list (JSON array of <c>{role, content}</c>, system and user turns) for
    /// <c>openai-chat</c> agents; <see cref="Input"/> then holds the last user turn's text for the other protocols.
    /// Null: <see cref="Input"/> is sent as one user message.
    /// </summary>
    public string? MessagesJson { get; init; }
}

/// <summary>Limits a benchmark places on an agent; they also set the reference points of the scores.</summary>
public sealed record BenchmarkConstraints
{
    /// <summary>Per-call timeout.</summary>
    public int TimeoutSeconds { get; init; } = 30;

    /// <summary>Latency at which the speed score is 0.5.</summary>
    public double TargetLatencyMs { get; init; } = 1000;

    /// <summary>Tokens per task at which the efficiency score is 0.5.</summary>
    public double TargetTokens { get; init; } = 1000;

    /// <summary>Cost per task at which the cost score is 0.5.</summary>
    public double TargetCostUsd { get; init; } = 0.01;

    /// <summary>Upper bound on output tokens asked of the agent, if any.</summary>
    public int? MaxTokens { get; init; }

    // The specification's limits (§1.1 constraints). Null: no limit. Each one that is exceeded terminates the
    // benchmark early (or fails the task, for the per-task ones), and the execution says which one and when.

    /// <summary><c>time_limit_ms</c>: per task; a task over it is a failed sample. When set it is the call timeout.</summary>
    public int? TimeLimitMs { get; init; }

    /// <summary><c>total_time_limit_ms</c> (BenchMesh's): the benchmark's budget for all its measured calls.</summary>
    public long? TotalTimeLimitMs { get; init; }

    /// <summary><c>memory_limit_mb</c>: peak resident memory of a <c>process</c> agent's task.</summary>
    public double? MemoryLimitMb { get; init; }

    /// <summary><c>token_limit</c>: tokens (input + output) one task may use.</summary>
    public long? TokenLimit { get; init; }

    /// <summary><c>cost_limit_usd</c>: the benchmark's cumulative cost of agent calls.</summary>
    public decimal? CostLimitUsd { get; init; }
}

/// <summary>
/// Reference scores a suite states for a benchmark (<c>baseline_scores</c>): score name (e.g. <c>accuracy_score</c>)
/// → value. <see cref="AgentId"/> names the agent they were measured for; null for the benchmark's own baseline.
/// </summary>
public sealed record BaselineScores
{
    public string? AgentId { get; init; }
    public required IReadOnlyDictionary<string, double> Scores { get; init; }
}

/// <summary>A benchmark as the runner executes it: captured from the suite when the run starts.</summary>
public sealed record BenchmarkDefinition
{
    public required Guid BenchmarkId { get; init; }
    public required string Name { get; init; }
    public required string Category { get; init; }

    /// <summary>The scoring rubric as a JSON object, e.g. <c>{"type":"exact_match"}</c>.</summary>
    public required string RubricJson { get; init; }

    public required BenchmarkConstraints Constraints { get; init; }
    public required IReadOnlyList<DatasetItem> Items { get; init; }

    /// <summary><c>test_type</c>: synthetic, real_world, stress or edge_case; null when the suite names none.</summary>
    public string? TestType { get; init; }

    /// <summary><c>metrics_measured</c>; empty when the suite names none.</summary>
    public IReadOnlyList<string> MetricsMeasured { get; init; } = [];

    /// <summary>The suite's baselines that apply to this benchmark (its own first, then the suite's per agent).</summary>
    public IReadOnlyList<BaselineScores> Baselines { get; init; } = [];
}

/// <summary>How a run is executed. Bounded: see <see cref="RunLimits"/>.</summary>
public sealed record RunConfiguration
{
    /// <summary>Passes over the dataset that are executed but not measured (the specification's runner: 3).</summary>
    public int WarmupRuns { get; init; } = 3;

    /// <summary>Measured passes over the dataset (the specification's runner: 5).</summary>
    public int Iterations { get; init; } = 5;

    /// <summary>Concurrent calls to the agent within one benchmark.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Stop measuring once this many consecutive calls have failed (early termination).</summary>
    public int MaxConsecutiveFailures { get; init; } = 20;
}

/// <summary>The bounds every public entry point enforces.</summary>
public static class RunLimits
{
    public const int MaxWarmupRuns = 20;
    public const int MaxIterations = 100;
    public const int MaxConcurrency = 64;
    public const int MaxItemsPerBenchmark = 10_000;
    public const int MaxBenchmarksPerSuite = 200;
    public const int MaxTimeoutSeconds = 600;

    /// <summary>
    /// Measured samples one benchmark may produce (dataset items × iterations; warm-ups are not reported): they all
    /// travel in one <see cref="BenchmarkExecuted"/> message, which must stay a size the broker and Scoring handle.
    /// </summary>
    public const int MaxSamplesPerBenchmark = 100_000;
}
