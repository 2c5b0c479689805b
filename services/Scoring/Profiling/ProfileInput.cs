namespace BenchMesh.Scoring.Profiling;

/// <summary>What the profile is built from: one stored execution and its measured calls.</summary>
public sealed record ProfileInput
{
    public required DateTimeOffset StartTime { get; init; }
    public required DateTimeOffset EndTime { get; init; }
    public DateTimeOffset? RequestedAt { get; init; }
    public int Concurrency { get; init; } = 1;
    public long WarmupTokens { get; init; }
    public double? WarmupDurationMs { get; init; }
    public int JudgeCalls { get; init; }
    public long JudgeInputTokens { get; init; }
    public long JudgeOutputTokens { get; init; }
    public decimal JudgeCostUsd { get; init; }
    public double JudgeDurationMs { get; init; }
    public double? ScoringMs { get; init; }
    public double? PersistenceMs { get; init; }
    public required IReadOnlyList<ProfileCall> Calls { get; init; }
}

/// <summary>One measured call as the profile sees it.</summary>
/// <param name="Failed">The call failed (any error kind, skipped included).</param>
/// <param name="Correct">Judged correct; null when it was not judged (failed or unscored).</param>
public sealed record ProfileCall(
    double DurationMs,
    double? TtftMs,
    double? ConnectMs,
    double? RequestWriteMs,
    long InputTokens,
    long OutputTokens,
    long? CachedInputTokens,
    double? PeakMemoryMb,
    double? CpuTimeMs,
    bool Failed,
    bool? Correct);
