using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Runner.Execution;

/// <summary>What to execute: the dataset, the passes, how the agent charges and the limits that stop it early.</summary>
public sealed record ExecutionPlan(
    IReadOnlyList<DatasetItem> Items,
    int WarmupRuns,
    int Iterations,
    int Concurrency,
    int MaxConsecutiveFailures,
    Pricing Pricing)
{
    public ExecutionLimits Limits { get; init; } = ExecutionLimits.None;
}

/// <summary>
/// The benchmark's limits the executor enforces on the measured calls (the per-task time limit is the call's
/// timeout, and the memory limit is enforced by the client that can see the task's memory: see
/// <see cref="Agents.AgentCallResult.ExceededLimit"/>). Null: no limit.
/// </summary>
/// <param name="TokenLimit">Tokens (input + output) one task may use.</param>
/// <param name="TotalTimeLimitMs">Wall-clock budget of the measured calls, from the first one's start.</param>
/// <param name="CostLimitUsd">Cumulative cost of the measured calls.</param>
public sealed record ExecutionLimits(long? TokenLimit, long? TotalTimeLimitMs, decimal? CostLimitUsd)
{
    public static readonly ExecutionLimits None = new(null, null, null);

    public static ExecutionLimits From(BenchmarkConstraints constraints) =>
        new(constraints.TokenLimit, constraints.TotalTimeLimitMs, constraints.CostLimitUsd);
}

/// <summary>
/// The measured samples (always iterations × items, in that order), why the benchmark stopped early if it did, and
/// what the warm-ups used.
/// </summary>
public sealed record ExecutionOutcome(IReadOnlyList<RawSample> Samples, Termination? Termination, WarmupUsage Warmup)
{
    public bool TerminatedEarly => Termination is not null;
}
