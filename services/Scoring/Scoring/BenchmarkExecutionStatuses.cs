using BenchMesh.Contracts.Scoring;

namespace BenchMesh.Scoring.Scoring;

/// <summary>
/// The values of <c>benchmark_executions.status</c>: the specification's <c>success</c> and BenchMesh's failure states.
/// The <see cref="ExecutionScored"/> event keeps its own two values (<see cref="ExecutionStatuses"/>), which the Runner,
/// Leaderboard and Regression compare against; <see cref="ForEvent"/> maps one to the other.
/// </summary>
public static class BenchmarkExecutionStatuses
{
    /// <summary>Every planned call was made and at least one succeeded (the event's <c>completed</c>).</summary>
    public const string Success = "success";

    /// <summary>
    /// A limit or the consecutive-failure rule stopped the benchmark early and at least one call succeeded; the scores
    /// cover the calls made and the skipped ones count as failures (the event's <c>completed</c>).
    /// </summary>
    public const string Terminated = "terminated";

    /// <summary>No measured call succeeded, or none was made (the event's <c>failed</c>).</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Success, Terminated, Failed];

    public static string ForEvent(string status) => status == Failed ? ExecutionStatuses.Failed : ExecutionStatuses.Completed;
}
