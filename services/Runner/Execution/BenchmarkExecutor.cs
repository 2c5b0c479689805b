using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;

namespace BenchMesh.Runner.Execution;

/// <summary>What to execute: the dataset, the passes and how the agent charges.</summary>
public sealed record ExecutionPlan(
    IReadOnlyList<DatasetItem> Items,
    int WarmupRuns,
    int Iterations,
    int Concurrency,
    int MaxConsecutiveFailures,
    Pricing Pricing);

public sealed record ExecutionOutcome(IReadOnlyList<RawSample> Samples, bool TerminatedEarly);

/// <summary>
/// Executes one benchmark: warm-up passes (executed, not reported), then the measured passes over the dataset
/// with bounded concurrency. After <see cref="ExecutionPlan.MaxConsecutiveFailures"/> consecutive failures it
/// stops calling the agent and records every remaining call as a skipped failure, so the samples always cover
/// iterations x items and the error rate stays honest.
/// </summary>
public sealed class BenchmarkExecutor(TokenCounter tokens)
{
    public async Task<ExecutionOutcome> ExecuteAsync(
        ExecutionPlan plan, Func<DatasetItem, CancellationToken, Task<AgentCallResult>> call, CancellationToken ct)
    {
        var concurrency = Math.Max(1, plan.Concurrency);
        var maxFailures = Math.Max(1, plan.MaxConsecutiveFailures);

        // Warm-ups have their own failure streak: a cold start that fails should not cut the measurement short.
        var warmup = new FailureStreak(maxFailures);
        for (var pass = 0; pass < plan.WarmupRuns && !warmup.Tripped; pass++)
        {
            await RunPassAsync(plan.Items, concurrency, warmup, call, (_, _) => { }, ct);
        }

        var measured = new FailureStreak(maxFailures);
        var samples = new RawSample[plan.Iterations * plan.Items.Count];
        for (var iteration = 0; iteration < plan.Iterations; iteration++)
        {
            var offset = iteration * plan.Items.Count;
            var current = iteration;
            await RunPassAsync(plan.Items, concurrency, measured, call,
                (index, result) => samples[offset + index] = ToSample(current, plan.Items[index], result, plan.Pricing), ct);
        }

        return new ExecutionOutcome(samples, measured.Tripped);
    }

    private static async Task RunPassAsync(
        IReadOnlyList<DatasetItem> items, int concurrency, FailureStreak streak,
        Func<DatasetItem, CancellationToken, Task<AgentCallResult>> call, Action<int, AgentCallResult?> record, CancellationToken ct)
    {
        await Parallel.ForEachAsync(
            Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (index, token) =>
            {
                if (streak.Tripped)
                {
                    record(index, null);
                    return;
                }

                var result = await call(items[index], token);
                streak.Observe(result.Succeeded);
                record(index, result);
            });
    }

    private RawSample ToSample(int iteration, DatasetItem item, AgentCallResult? result, Pricing pricing)
    {
        if (result is null)
        {
            return new RawSample
            {
                Iteration = iteration,
                ItemId = item.Id,
                DurationMs = 0,
                InputTokens = 0,
                OutputTokens = 0,
                TokensReportedByAgent = false,
                CostUsd = 0,
                ErrorKind = SampleErrorKinds.Skipped,
                Error = "Not executed: the benchmark was terminated early after too many consecutive failures.",
            };
        }

        if (!result.Succeeded)
        {
            // A failed call shows no usage we could bill or count honestly.
            return new RawSample
            {
                Iteration = iteration,
                ItemId = item.Id,
                Output = result.Output,
                DurationMs = result.DurationMs,
                TimeToFirstTokenMs = result.TimeToFirstTokenMs,
                InputTokens = 0,
                OutputTokens = 0,
                TokensReportedByAgent = false,
                CostUsd = 0,
                ErrorKind = result.ErrorKind,
                Error = result.Error,
                HttpStatus = result.HttpStatus,
                PeakMemoryMb = result.PeakMemoryMb,
                CpuTimeMs = result.CpuTimeMs,
            };
        }

        var reported = result.InputTokens is not null && result.OutputTokens is not null;
        var inputTokens = reported ? result.InputTokens!.Value : tokens.Count(item.Input);
        var outputTokens = reported ? result.OutputTokens!.Value : tokens.Count(result.Output);
        return new RawSample
        {
            Iteration = iteration,
            ItemId = item.Id,
            Output = result.Output,
            DurationMs = result.DurationMs,
            TimeToFirstTokenMs = result.TimeToFirstTokenMs,
            InputTokens = inputTokens,
            OutputTokens = outputTokens,
            TokensReportedByAgent = reported,
            CostUsd = pricing.CostOf(inputTokens, outputTokens),
            HttpStatus = result.HttpStatus,
            PeakMemoryMb = result.PeakMemoryMb,
            CpuTimeMs = result.CpuTimeMs,
        };
    }

    /// <summary>Consecutive failures across concurrent calls; trips once and stays tripped.</summary>
    private sealed class FailureStreak(int limit)
    {
        private readonly Lock _lock = new();
        private int _consecutive;
        private volatile bool _tripped;

        public bool Tripped => _tripped;

        public void Observe(bool succeeded)
        {
            lock (_lock)
            {
                _consecutive = succeeded ? 0 : _consecutive + 1;
                if (_consecutive >= limit)
                {
                    _tripped = true;
                }
            }
        }
    }
}
