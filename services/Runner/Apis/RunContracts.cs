using System.Text.Json;

namespace BenchMesh.Runner.Apis;

public sealed record RunConfigurationRequest(
    int? WarmupRuns, int? Iterations, int? Concurrency, int? TimeoutSeconds, int? MaxConsecutiveFailures);

/// <summary>
/// <c>POST /benchmarks/run</c>. Ids are strings so that a malformed id is a field error, not a body that cannot be read.
/// </summary>
public sealed record StartRunRequest(
    string? AgentId, string? AgentVersion, string? SuiteId, RunConfigurationRequest? Configuration, bool? AsyncExecution);

/// <summary>The effective configuration of a run, as stored and reported.</summary>
public sealed record EffectiveRunConfiguration(
    int WarmupRuns, int Iterations, int Concurrency, int TimeoutSeconds, int MaxConsecutiveFailures);

public sealed record RunAccepted(Guid RunId, string Status, string StatusUrl);

public sealed record RunProgress(int TotalBenchmarks, int CompletedBenchmarks);

public sealed record RunBenchmarkReport(
    Guid BenchmarkId, string BenchmarkName, Guid ExecutionId, string Status,
    double? AccuracyScore, double? SpeedScore, double? EfficiencyScore, double? CostScore, double? ReliabilityScore, double? OverallScore,
    long? TokensUsed, int? ApiCallsMade, decimal? CostUsd, double? MedianLatencyMs, DateTimeOffset? ScoredAt, string? ErrorMessage);

public sealed record RunReport(
    double? OverallScore, double? AccuracyScore, double? SpeedScore, double? EfficiencyScore, double? CostScore, double? ReliabilityScore,
    IReadOnlyList<RunBenchmarkReport> Benchmarks);

public sealed record RunResponse(
    Guid RunId, Guid AgentId, string AgentName, string AgentVersion, Guid SuiteId, string Status,
    JsonElement Configuration, RunProgress Progress, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt,
    RunReport Report);

/// <summary>
/// <c>POST /benchmarks/runs/{run_id}/retry</c>: the run is running again; <c>rescored_benchmarks</c> are scored again
/// from their stored results, <c>reexecuted_benchmarks</c> are executed again (they stored no results).
/// </summary>
public sealed record RunRetryAccepted(Guid RunId, string Status, string StatusUrl, int RescoredBenchmarks, int ReexecutedBenchmarks);
