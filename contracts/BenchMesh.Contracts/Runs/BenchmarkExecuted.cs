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

    // Phases of the call where the protocol lets them be seen (null otherwise); the profile (§6.1) is built from them.

    /// <summary>Waiting for a connection (pool wait + TCP/TLS connect; 0 on a reused connection).</summary>
    public double? ConnectMs { get; init; }

    /// <summary>Writing the request (headers and body) once connected.</summary>
    public double? RequestWriteMs { get; init; }

    /// <summary>Input tokens the agent reported as served from its prompt cache (usage details).</summary>
    public long? CachedInputTokens { get; init; }

    /// <summary>Peak resident memory of the task (process agents), MiB.</summary>
    public double? PeakMemoryMb { get; init; }

    /// <summary>CPU time (user + system) the task used (process agents).</summary>
    public double? CpuTimeMs { get; init; }

    /// <summary>The judge's grade of a <c>model_graded</c> item; null for every other rubric.</summary>
    public Judgement? Judgement { get; init; }
}

/// <summary>
/// A judge agent's grade of one output (<c>model_graded</c> rubric). The judge's usage is counted apart from the
/// agent's: it is never part of <see cref="RawSample.InputTokens"/> or <see cref="RawSample.CostUsd"/>.
/// </summary>
public sealed record Judgement
{
    /// <summary>The grade in [0, 1]; null when the judge's answer could not be parsed or the judge failed (unscored).</summary>
    public double? Score { get; init; }
    public string? Reason { get; init; }
    public required Guid JudgeAgentId { get; init; }
    public required string JudgeVersion { get; init; }

    /// <summary>SHA-256 (hex) of the rubric prompt template, so that grades from different prompts are not mixed.</summary>
    public required string PromptSha256 { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public decimal CostUsd { get; init; }
    public double DurationMs { get; init; }
    public string? Error { get; init; }
}

/// <summary>Why a benchmark stopped before its planned calls (the constraint that tripped), and when.</summary>
public sealed record Termination
{
    /// <summary>One of <see cref="TerminationReasons"/>.</summary>
    public required string Reason { get; init; }

    /// <summary>Milliseconds since the first measured call when it tripped.</summary>
    public required double AtMs { get; init; }

    /// <summary>Measured calls completed when it tripped.</summary>
    public required int AfterCalls { get; init; }
    public required string Detail { get; init; }
}

public static class TerminationReasons
{
    public const string ConsecutiveFailures = "consecutive_failures";
    public const string TimeLimit = "time_limit";
    public const string TokenLimit = "token_limit";
    public const string CostLimit = "cost_limit";
    public const string MemoryLimit = "memory_limit";
}

/// <summary>Where an execution ran (the table's <c>execution_environment</c>).</summary>
public sealed record ExecutionEnvironment
{
    public required string WorkerId { get; init; }
    public required string Host { get; init; }

    /// <summary>e.g. ".NET 10.0.1 on Debian GNU/Linux 12, x64, 2 cores".</summary>
    public required string Runtime { get; init; }

    /// <summary>How the agent was reached: http/1.1, http/2, process (per call), process (json-lines worker).</summary>
    public required string Transport { get; init; }

    /// <summary>SHA-256 (hex, first 16 chars) of the protocol + endpoint, so executions against one endpoint can be grouped without storing it.</summary>
    public required string EndpointFingerprint { get; init; }
}

/// <summary>Calls made outside the measured passes (warm-ups), for the profile's wasted tokens and cost.</summary>
public sealed record WarmupUsage
{
    public int Calls { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public decimal CostUsd { get; init; }
    public double DurationMs { get; init; }
}

/// <summary>Why a call failed.</summary>
public static class SampleErrorKinds
{
    public const string Timeout = "timeout";
    public const string Connection = "connection";
    public const string HttpStatus = "http_status";
    public const string InvalidResponse = "invalid_response";
    public const string Skipped = "skipped";

    /// <summary>The task went over a per-task constraint (<c>token_limit</c>, <c>memory_limit_mb</c>).</summary>
    public const string LimitExceeded = "limit_exceeded";

    /// <summary>A process agent exited non-zero or could not be started.</summary>
    public const string ProcessFailed = "process_failed";

    /// <summary>The outbound guard refused the agent's address (link-local, private, loopback, ...; docs/runner.md).</summary>
    public const string AddressNotAllowed = "address_not_allowed";
}

/// <summary>
/// Event: a runner worker finished one benchmark of a run. Carries every raw sample so that scores can
/// be recomputed. Published at least once per <see cref="ExecutionId"/>.
/// </summary>
public sealed record BenchmarkExecuted
{
    /// <summary>2: adds termination, environment, warm-up usage, concurrency, queue time and per-sample phases.</summary>
    public int SchemaVersion { get; init; } = 2;
    public required Guid RunId { get; init; }
    public required Guid ExecutionId { get; init; }
    public required Guid SuiteId { get; init; }
    public required string SuiteCategory { get; init; }
    public required Agents.AgentSnapshot Agent { get; init; }
    public required BenchmarkDefinition Benchmark { get; init; }
    public required int WarmupRuns { get; init; }
    public required int Iterations { get; init; }

    /// <summary>True when the run stopped early (see <see cref="Termination"/>).</summary>
    public required bool TerminatedEarly { get; init; }

    /// <summary>Which constraint stopped it, and when; null when it ran every planned call.</summary>
    public Termination? Termination { get; init; }

    /// <summary>Configured concurrent calls (the profile's parallelization score is achieved over this).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>When the command was requested (queue wait = <see cref="StartedAt"/> − this).</summary>
    public DateTimeOffset? RequestedAt { get; init; }

    public ExecutionEnvironment? Environment { get; init; }
    public WarmupUsage? Warmup { get; init; }
    public required IReadOnlyList<RawSample> Samples { get; init; }
    public required string WorkerId { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>
    /// True when the runner sends results it stored earlier again, because it lost track of their score (a retried run,
    /// <c>POST /benchmarks/runs/{run_id}/retry</c>): Scoring then announces an execution it already scored again, where it
    /// would ignore a plain redelivery.
    /// </summary>
    public bool Replayed { get; init; }

    /// <summary>The workspace of the run (<see cref="RunBenchmark.WorkspaceId"/>); null from runners before workspaces.</summary>
    public string? WorkspaceId { get; init; }
}
