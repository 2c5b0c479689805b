using BenchMesh.Contracts.Scoring;

namespace BenchMesh.Leaderboard.Data;

/// <summary>The specification's execution statuses (§1.2), as <c>agent_benchmark_scores.execution_status</c> stores them.</summary>
public static class ExecutionStatusValues
{
    public const string Success = "success";
    public const string Terminated = "terminated";
    public const string Failed = "failed";

    /// <summary>
    /// The status of a scored execution. Messages published before <see cref="ExecutionScored.ExecutionStatus"/> existed
    /// only say completed or failed; a completed one is read as a success (whether it was cut short is not known).
    /// </summary>
    public static string Of(ExecutionScored message) =>
        message.ExecutionStatus ?? (message.Status == ExecutionStatuses.Failed ? Failed : Success);
}
