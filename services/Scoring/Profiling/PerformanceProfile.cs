namespace BenchMesh.Scoring.Profiling;

/// <summary>The §6.1 profile of one execution: <c>profile_data</c> and <c>optimization_opportunities</c>.</summary>
public sealed record PerformanceProfile(ProfileData ProfileData, IReadOnlyList<OptimizationOpportunity> OptimizationOpportunities);

public sealed record ProfileData(
    IReadOnlyList<ExecutionPhase> ExecutionPhases,
    IReadOnlyList<Bottleneck> Bottlenecks,
    ResourceUtilization ResourceUtilization,
    TokenAnalysis TokenAnalysis);

/// <summary>
/// One phase. Per-call phases are summed over the measured calls (with concurrency they overlap in wall time);
/// <see cref="PercentageOfTotal"/> is the share of the sum of the measured phases. Null: not measured.
/// </summary>
public sealed record ExecutionPhase(string PhaseName, double? DurationMs, double? PercentageOfTotal, PhaseResourceUsage? ResourceUsage);

/// <summary>What a phase used, where it can be measured (null fields otherwise).</summary>
public sealed record PhaseResourceUsage(double? CpuPercent, double? MemoryMb, long? IoOperations);

public sealed record Bottleneck(string Rule, string Location, double ImpactMs, string Cause, string OptimizationSuggestion);

/// <param name="EstimatedImpact">The share (0–1) of the rule's measure the change could save (docs/profile.md, per rule).</param>
/// <param name="ImplementationEffort">low | medium | high.</param>
public sealed record OptimizationOpportunity(string Rule, string Category, string PotentialImprovement, double EstimatedImpact, string ImplementationEffort);

/// <param name="AchievedConcurrency">Mean calls in flight over the measured time: Σ call durations / measured wall time.</param>
public sealed record ResourceUtilization(
    double? CpuEfficiency,
    double? MemoryEfficiency,
    double? IoEfficiency,
    double? ParallelizationScore,
    double? AchievedConcurrency,
    int ConfiguredConcurrency);

/// <param name="CacheHits">Input tokens served from the agent's prompt cache (as the agent reported them).</param>
/// <param name="WastedTokens">Warm-up tokens + tokens of failed calls + tokens of answers judged wrong.</param>
/// <param name="TokenEfficiency">(all tokens − wasted) / all tokens, all = measured + warm-up; null when none was spent.</param>
public sealed record TokenAnalysis(
    long InputTokens,
    long OutputTokens,
    long CacheHits,
    long WastedTokens,
    double? TokenEfficiency,
    long WarmupTokens,
    long FailedCallTokens,
    long WrongAnswerTokens,
    JudgeTokens Judge);

/// <summary>The judge's usage (model-graded benchmarks), apart from the agent's tokens above.</summary>
public sealed record JudgeTokens(int Calls, long InputTokens, long OutputTokens, decimal CostUsd);
