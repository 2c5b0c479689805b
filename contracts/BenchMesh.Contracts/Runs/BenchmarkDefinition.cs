namespace BenchMesh.Contracts.Runs;

/// <summary>One dataset item: an input, what is expected, and optionally its own rubric.</summary>
public sealed record DatasetItem
{
    public required string Id { get; init; }
    public required string Input { get; init; }
    public string? Expected { get; init; }

    /// <summary>A rubric for this item only (JSON object), overriding the benchmark's.</summary>
    public string? RubricJson { get; init; }
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
}

/// <summary>How a run is executed. Bounded: see <see cref="RunLimits"/>.</summary>
public sealed record RunConfiguration
{
    /// <summary>Passes over the dataset that are executed but not measured.</summary>
    public int WarmupRuns { get; init; } = 1;

    /// <summary>Measured passes over the dataset.</summary>
    public int Iterations { get; init; } = 3;

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
