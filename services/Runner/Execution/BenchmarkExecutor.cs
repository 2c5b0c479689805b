using System.Diagnostics;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;

namespace BenchMesh.Runner.Execution;

/// <summary>
/// Executes one benchmark as the specification's runner does (§2.1): warm-up passes (executed, not reported; their
/// usage is summed), then the measured passes over the dataset with bounded concurrency. A measured call may be
/// followed by the judge's (<c>model_graded</c> items). When a constraint trips (<see cref="TerminationMonitor"/>) it
/// stops calling the agent and records every remaining call as a skipped failure, so the samples always cover
/// iterations × items and the error rate stays honest.
/// </summary>
public sealed class BenchmarkExecutor(TokenCounter tokens)
{
    public Task<ExecutionOutcome> ExecuteAsync(
        ExecutionPlan plan, Func<DatasetItem, CancellationToken, Task<AgentCallResult>> call, CancellationToken ct) =>
        ExecuteAsync(plan, call, judge: null, ct);

    /// <param name="judge">Grades a successful measured sample; null (or a null grade) leaves it without a judgement.</param>
    public async Task<ExecutionOutcome> ExecuteAsync(
        ExecutionPlan plan,
        Func<DatasetItem, CancellationToken, Task<AgentCallResult>> call,
        Func<DatasetItem, RawSample, CancellationToken, Task<Judgement?>>? judge,
        CancellationToken ct)
    {
        var concurrency = Math.Max(1, plan.Concurrency);
        var maxFailures = Math.Max(1, plan.MaxConsecutiveFailures);
        var inputTokens = new InputTokens(plan.Items, tokens);

        // Warm-ups stop only on their own failure streak (a cold start that fails should not cut the measurement
        // short), and the benchmark's limits apply to the measured calls: they are what the execution reports.
        var warmup = new TerminationMonitor(maxFailures, ExecutionLimits.None);
        var warmupUsage = new WarmupTally();
        var warmupClock = Stopwatch.StartNew();
        await RunCallsAsync(Math.Max(0, plan.WarmupRuns) * plan.Items.Count, concurrency, warmup, async (index, token) =>
        {
            var item = plan.Items[index % plan.Items.Count];
            var (sample, _) = ToSample(-1, index % plan.Items.Count, await call(item, token), plan, inputTokens, enforceLimits: false);
            warmupUsage.Add(sample);
            return (sample, (string?)null);
        }, (_, _) => { }, grade: null, ct);

        warmupClock.Stop();

        // Graded after the observation, so that a limit stops the next calls without waiting for the judge.
        Func<int, RawSample, CancellationToken, Task<RawSample>>? grade = judge is null
            ? null
            : async (index, sample, token) => sample.ErrorKind is null ? sample with { Judgement = await judge(plan.Items[index % plan.Items.Count], sample, token) } : sample;
        var measured = new TerminationMonitor(maxFailures, plan.Limits);
        var samples = new RawSample[plan.Iterations * plan.Items.Count];
        await RunCallsAsync(samples.Length, concurrency, measured,
            async (index, token) => ToSample(index / plan.Items.Count, index % plan.Items.Count, await call(plan.Items[index % plan.Items.Count], token), plan, inputTokens, enforceLimits: true),
            (index, sample) => samples[index] = sample ?? Skipped(index / plan.Items.Count, plan.Items[index % plan.Items.Count], measured.Termination),
            grade, ct);

        return new ExecutionOutcome(samples, measured.Termination, warmupUsage.ToUsage(warmupClock.Elapsed.TotalMilliseconds));
    }

    /// <summary>
    /// One phase's calls, numbered pass by pass (call <c>i</c> is item <c>i % items</c> of pass <c>i / items</c>) and
    /// started in that order, <paramref name="concurrency"/> at a time. The passes follow each other without a barrier: a
    /// slot whose call ended takes the next call, whichever pass it is in, so the agent sees <paramref name="concurrency"/>
    /// calls in flight from the phase's start to its end. (Waiting for each pass to drain
    /// left slots idle at every pass's tail: at concurrency 32 on 100 items, a fourth wave of 4 calls, and 0.78x the
    /// calls/s of hey on the same agent; docs/timing.md.)
    /// <para>
    /// Each call is made unless the monitor has tripped (<paramref name="record"/> then gets null), observed, then graded
    /// by <paramref name="grade"/> if given. Grading is off the agent's hot path: the slot that made the call moves on at
    /// once, and the judge's calls run beside (at most <paramref name="concurrency"/> at a time), all finished before the
    /// phase ends. A slow judge therefore never shows as idle time between the agent's calls, nor delays a limit that the
    /// observation tripped.
    /// </para>
    /// </summary>
    private static async Task RunCallsAsync(
        int count, int concurrency, TerminationMonitor monitor,
        Func<int, CancellationToken, Task<(RawSample Sample, string? ExceededLimit)>> call,
        Action<int, RawSample?> record,
        Func<int, RawSample, CancellationToken, Task<RawSample>>? grade,
        CancellationToken ct)
    {
        using var judges = grade is null ? null : new SemaphoreSlim(concurrency);
        var grading = grade is null ? null : new Task[count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (index, token) =>
            {
                if (monitor.ShouldStop())
                {
                    record(index, null);
                    return;
                }

                var (sample, exceeded) = await call(index, token);
                monitor.Observe(sample, exceeded);
                if (grade is null)
                {
                    record(index, sample);
                    return;
                }

                grading![index] = GradeAsync(index, sample);
            });

        if (grading is not null)
        {
            await Task.WhenAll(grading.Where(t => t is not null));
        }

        async Task GradeAsync(int index, RawSample sample)
        {
            await judges!.WaitAsync(ct);
            try
            {
                record(index, await grade!(index, sample, ct));
            }
            finally
            {
                judges.Release();
            }
        }
    }

    private static RawSample Skipped(int iteration, DatasetItem item, Termination? termination) => new()
    {
        Iteration = iteration,
        ItemId = item.Id,
        DurationMs = 0,
        InputTokens = 0,
        OutputTokens = 0,
        TokensReportedByAgent = false,
        CostUsd = 0,
        ErrorKind = SampleErrorKinds.Skipped,
        Error = $"Not executed: the benchmark was terminated early ({termination?.Reason}): {termination?.Detail}",
    };

    /// <summary>The sample of a call, and the per-task limit it went over (then it is a <c>limit_exceeded</c> failure).</summary>
    private (RawSample Sample, string? ExceededLimit) ToSample(
        int iteration, int itemIndex, AgentCallResult result, ExecutionPlan plan, InputTokens itemTokens, bool enforceLimits)
    {
        var item = plan.Items[itemIndex];
        if (result.ExceededLimit is { } limit)
        {
            // The client stopped the task (e.g. at its memory limit): whatever it says, that is the failure.
            return (Sample(iteration, item, result, SampleErrorKinds.LimitExceeded, result.Error ?? $"The task went over its {limit}."),
                enforceLimits ? limit : null);
        }

        if (!result.Succeeded)
        {
            // A failed call shows no usage we could bill or count honestly.
            return (Sample(iteration, item, result, result.ErrorKind, result.Error), null);
        }

        var reported = result.InputTokens is not null && result.OutputTokens is not null;
        var inputTokens = reported ? result.InputTokens!.Value : itemTokens.Of(itemIndex);
        var outputTokens = reported ? result.OutputTokens!.Value : tokens.Count(result.Output);
        // Built once with its usage: a successful call is the common case, one record a call rather than two.
        var sample = Sample(iteration, item, result, result.ErrorKind, result.Error,
            inputTokens, outputTokens, reported, plan.Pricing.CostOf(inputTokens, outputTokens), result.CachedInputTokens);

        if (enforceLimits && plan.Limits.TokenLimit is { } tokenLimit && inputTokens + outputTokens > tokenLimit)
        {
            // The tokens were spent and are billed; the answer does not count.
            return (sample with
            {
                ErrorKind = SampleErrorKinds.LimitExceeded,
                Error = $"The task used {inputTokens + outputTokens} tokens, over the token_limit of {tokenLimit}.",
            }, TerminationReasons.TokenLimit);
        }

        return (sample, null);
    }

    /// <summary>A call's sample: what the call measured, the failure it is recorded as, and its usage (none when it failed).</summary>
    private static RawSample Sample(
        int iteration, DatasetItem item, AgentCallResult result, string? errorKind, string? error,
        long inputTokens = 0, long outputTokens = 0, bool tokensReported = false, decimal cost = 0, long? cachedInputTokens = null) => new()
    {
        Iteration = iteration,
        ItemId = item.Id,
        Output = result.Output,
        DurationMs = result.DurationMs,
        TimeToFirstTokenMs = result.TimeToFirstTokenMs,
        InputTokens = inputTokens,
        OutputTokens = outputTokens,
        TokensReportedByAgent = tokensReported,
        CostUsd = cost,
        ErrorKind = errorKind,
        Error = error,
        HttpStatus = result.HttpStatus,
        ConnectMs = result.ConnectMs,
        RequestWriteMs = result.RequestWriteMs,
        CachedInputTokens = cachedInputTokens,
        PeakMemoryMb = result.PeakMemoryMb,
        CpuTimeMs = result.CpuTimeMs,
    };

    /// <summary>
    /// The input's token count of each item, counted on its first call and reused by the item's other calls (every
    /// warm-up and measured pass sends the same input): cl100k over the input was a few percent of a worker's CPU per
    /// call on a trivial agent (docs/timing.md). Two calls of one item may both count it the first time: same value.
    /// </summary>
    private sealed class InputTokens(IReadOnlyList<DatasetItem> items, TokenCounter tokens)
    {
        private readonly long[] _counts = Enumerable.Repeat(-1L, items.Count).ToArray();

        public long Of(int itemIndex)
        {
            var count = Volatile.Read(ref _counts[itemIndex]);
            if (count < 0)
            {
                count = tokens.Count(items[itemIndex].Input);
                Volatile.Write(ref _counts[itemIndex], count);
            }

            return count;
        }
    }

    /// <summary>What the warm-up calls used, summed across concurrent calls.</summary>
    private sealed class WarmupTally
    {
        private readonly Lock _lock = new();
        private int _calls;
        private long _inputTokens;
        private long _outputTokens;
        private decimal _cost;

        public void Add(RawSample sample)
        {
            lock (_lock)
            {
                _calls++;
                _inputTokens += sample.InputTokens;
                _outputTokens += sample.OutputTokens;
                _cost += sample.CostUsd;
            }
        }

        public WarmupUsage ToUsage(double durationMs)
        {
            lock (_lock)
            {
                return new WarmupUsage { Calls = _calls, InputTokens = _inputTokens, OutputTokens = _outputTokens, CostUsd = _cost, DurationMs = durationMs };
            }
        }
    }
}
