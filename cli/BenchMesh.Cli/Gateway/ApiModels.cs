using System.Text.Json;

namespace BenchMesh.Cli.Gateway;

// Typed views of the public API's snake_case JSON (docs/api.md). Only the fields the CLI shows are
// declared; unknown fields are ignored so the CLI keeps working when the API grows additively.
// Numbers that a failed or partial execution may not have are nullable.

public sealed record RunConfiguration(int? WarmupRuns, int? Iterations, int? Concurrency, int? TimeoutSeconds);

public sealed record RunRequest(
    string AgentId,
    string? AgentVersion,
    string SuiteId,
    bool AsyncExecution,
    RunConfiguration? Configuration);

public sealed record RunAccepted(string RunId, string? Status, string? StatusUrl);

public sealed record RunProgress(int TotalBenchmarks, int CompletedBenchmarks);

public sealed record BenchmarkReport(
    string? BenchmarkId,
    string? BenchmarkName,
    string? ExecutionId,
    string? Status,
    double? AccuracyScore,
    double? SpeedScore,
    double? EfficiencyScore,
    double? CostScore,
    double? ReliabilityScore,
    double? OverallScore,
    long? TokensUsed,
    long? ApiCallsMade,
    double? CostUsd,
    double? MedianLatencyMs);

public sealed record RunReport(
    double? OverallScore,
    double? AccuracyScore,
    double? SpeedScore,
    double? EfficiencyScore,
    double? CostScore,
    double? ReliabilityScore,
    IReadOnlyList<BenchmarkReport>? Benchmarks);

public sealed record RunStatus(
    string RunId,
    string? AgentId,
    string? AgentVersion,
    string? SuiteId,
    string Status,
    RunProgress? Progress,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? CompletedAt,
    RunReport? Report,
    string? ErrorMessage)
{
    public bool IsFinished => Status is RunStatuses.Completed or RunStatuses.Failed;
}

public static class RunStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

public sealed record ScoreAndRank(double? Score, long? Rank);

public sealed record RankInterval(int? Low, int? High);

public sealed record LeaderboardEntry(
    string? AgentId,
    string? AgentName,
    string? AgentVersion,
    string? BenchmarkCategory,
    IReadOnlyDictionary<string, ScoreAndRank>? ScoresAndRanks,
    long? BenchmarksCompleted,
    long? Executions,
    DateTimeOffset? LastBenchmarkDate,
    long? BestRanking,
    RankInterval? RankInterval,
    bool? TiedWithLeader);

public sealed record Leaderboard(
    string? Category,
    string? Metric,
    string? GroupBy,
    string? Status,
    DateTimeOffset? GeneratedAt,
    IReadOnlyList<LeaderboardEntry>? Entries);

public sealed record Execution(
    string? ExecutionId,
    string? RunId,
    string? AgentId,
    string? AgentVersion,
    string? SuiteId,
    string? BenchmarkId,
    string? BenchmarkName,
    double? AccuracyScore,
    double? SpeedScore,
    double? EfficiencyScore,
    double? CostScore,
    double? ReliabilityScore,
    double? OverallScore,
    double? ExecutionTimeMs,
    long? TokensUsed,
    long? ApiCallsMade,
    double? CostUsd,
    string? Status,
    string? TerminationReason,
    string? ErrorMessage,
    DateTimeOffset? CreatedAt);

/// <summary><c>next_cursor</c>: the next page of an <c>all</c> or <c>30d</c> answer; null on the last page and for <c>latest</c>.</summary>
public sealed record AgentResults(string? AgentId, string? Timeframe, IReadOnlyList<Execution>? Results, string? NextCursor = null);

public sealed record RunSummaryProgress(int TotalBenchmarks, int CompletedBenchmarks, int FailedBenchmarks);

public sealed record RunSummary(
    string RunId,
    string? AgentId,
    string? AgentName,
    string? AgentVersion,
    string? SuiteId,
    string? Status,
    RunSummaryProgress? Progress,
    double? OverallScore,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>A page of <c>GET /benchmarks/runs</c>, newest first.</summary>
public sealed record RunList(IReadOnlyList<RunSummary>? Runs, string? NextCursor);

/// <summary>The filters and page of <c>GET /benchmarks/runs</c>, each optional.</summary>
public sealed record RunListFilter(string? AgentId, string? SuiteId, string? Status, string? Since, string? Until, int? Limit, string? Cursor);

public sealed record Regression(
    string? BenchmarkId,
    string? BenchmarkName,
    string? Metric,
    string? Direction,
    double? BaselineValue,
    double? CurrentValue,
    double? RegressionPercentage,
    string? Severity,
    string? ImpactAnalysis);

public sealed record RegressionReport(
    string? AgentId,
    string? CurrentVersion,
    string? BaselineVersion,
    double? Threshold,
    bool HasRegressions,
    IReadOnlyList<Regression>? Regressions,
    string? OverallHealth,
    string? RecommendedAction,
    int? BenchmarksCompared = null,
    string? Note = null,
    IReadOnlyList<RegressionVerdict>? Verdicts = null);

/// <summary>An effect with its interval (90 % on one-shot verdicts, 95 % on monitored ones; docs/regression.md): relative on latency, cost and tokens (0.10 = +10 %), in points on accuracy and error rate.</summary>
public sealed record EffectInterval(double Estimate, double Lower, double Upper);

/// <summary>The engine's verdict on one benchmark × metric of the current version (regressed, improved, no_change, inconclusive).</summary>
public sealed record RegressionVerdict(
    string? BenchmarkId,
    string? BenchmarkName,
    string? Metric,
    string? Verdict,
    EffectInterval? Effect,
    double? PValue,
    double? QValue,
    double? MinimumDetectableEffect,
    int? AdditionalRuns,
    string? Reason,
    string? Path,
    string? Confirmation = null);

public sealed record AgentVersionCreated(string? Version);

/// <summary>The agent representation <c>POST /agents</c> answers with (the fields the CLI prints).</summary>
public sealed record AgentCreated(
    string AgentId,
    string? Name,
    string? WorkspaceId,
    string? Protocol,
    bool? HasApiKey,
    IReadOnlyList<AgentVersionCreated>? Versions,
    SuggestedSchedule? SuggestedSchedule = null);

/// <summary>The default schedule <c>POST /agents</c> offers: body fields for <c>POST /benchmarks/schedules</c>.</summary>
public sealed record SuggestedSchedule(string CronExpression, string? TimeZone);

/// <summary><c>POST /benchmarks/schedules</c>.</summary>
public sealed record ScheduleRequest(string AgentId, string SuiteId, string CronExpression, string? TimeZone);

public sealed record ScheduleCreated(string ScheduleId, string? CronExpression, string? TimeZone, DateTimeOffset? NextFireTime);

public sealed record DatasetCreated(int? ItemCount, string? ContentHash);

public sealed record BenchmarkCreated(string? BenchmarkId, string? Name, DatasetCreated? Dataset);

/// <summary>The suite representation <c>POST /suites</c> answers with; <c>suite_name</c> is the specification's name,
/// <c>name</c> the older alias.</summary>
public sealed record SuiteCreated(string SuiteId, string? SuiteName, string? Name, IReadOnlyList<BenchmarkCreated>? Benchmarks);

/// <summary>RFC 9457 problem details as the services answer them (errors: field path → messages).</summary>
public sealed record ProblemDetails(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Instance,
    Dictionary<string, string[]>? Errors);

/// <summary>A typed answer together with the exact JSON the gateway sent (for --json).</summary>
public sealed record ApiResponse<T>(T Value, string Json);

internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
