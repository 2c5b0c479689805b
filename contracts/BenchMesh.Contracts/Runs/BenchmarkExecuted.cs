namespace BenchMesh.Contracts.Runs;

/// <summary>One call to the agent: a dataset item in one measured pass.</summary>
public sealed record RawSample
{
    /// <summary>0-based measured pass (warm-up calls are not reported).</summary>
    public required int Iteration { get; init; }
    public required string ItemId { get; init; }
    public string? Output { get; init; }
    public required double DurationMs { get; init; }
    public double? TimeToFirstTokenMs { get; init; }
    public required long InputTokens { get; init; }
    public required long OutputTokens { get; init; }

    /// <summary>True when the agent reported usage; false when the runner counted tokens itself.</summary>
    public required bool TokensReportedByAgent { get; init; }
    public required decimal CostUsd { get; init; }

    /// <summary>Null for a successful call; otherwise one of <see cref="SampleErrorKinds"/>.</summary>
    public string? ErrorKind { get; init; }
    public string? Error { get; init; }
    public int? HttpStatus { get; init; }
}

/// <summary>Why a call failed.</summary>
public static class SampleErrorKinds
{
    public const string Timeout = "timeout";
    public const string Connection = "connection";
    public const string HttpStatus = "http_status";
    public const string InvalidResponse = "invalid_response";
    public const string Skipped = "skipped";
}

/// <summary>
/// Event: a runner worker finished one benchmark of a run. Carries every raw sample so that scores can
/// be recomputed. Published at least once per <see cref="ExecutionId"/>.
/// </summary>
public sealed record BenchmarkExecuted
{
    public int SchemaVersion { get; init; } = 1;
    public required Guid RunId { get; init; }
    public required Guid ExecutionId { get; init; }
    public required Guid SuiteId { get; init; }
    public required string SuiteCategory { get; init; }
    public required Agents.AgentSnapshot Agent { get; init; }
    public required BenchmarkDefinition Benchmark { get; init; }
    public required int WarmupRuns { get; init; }
    public required int Iterations { get; init; }

    /// <summary>True when the run stopped early (too many consecutive failures).</summary>
    public required bool TerminatedEarly { get; init; }
    public required IReadOnlyList<RawSample> Samples { get; init; }
    public required string WorkerId { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
}
