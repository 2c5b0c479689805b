using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Execution;

namespace BenchMesh.Runner.Tests;

/// <summary>The executor's scheduling of calls, with an in-process call (what the agent does is not the point here).</summary>
public sealed class BenchmarkExecutorTests
{
    private static readonly TokenCounter Tokens = new();

    [Fact]
    public async Task The_next_pass_starts_while_the_previous_one_still_has_a_call_in_flight_and_samples_stay_in_pass_order()
    {
        var items = new[] { "a", "b", "c" }.Select(id => new DatasetItem { Id = id, Input = id, Expected = id }).ToList();
        var calls = new Dictionary<string, int>();
        var secondPassStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var executor = new BenchmarkExecutor(Tokens);

        // Concurrency 2 over 3 items: the first pass's "c" holds its slot until the second pass's "a" has started,
        // which only a slot freed by the first pass's "a" or "b" can start. With a barrier between passes it never would.
        var outcome = await executor.ExecuteAsync(
            new ExecutionPlan(items, WarmupRuns: 0, Iterations: 2, Concurrency: 2, MaxConsecutiveFailures: 10, new Pricing(0, 0, 0)),
            async (item, _) =>
            {
                int call;
                lock (calls)
                {
                    call = calls[item.Id] = calls.GetValueOrDefault(item.Id) + 1;
                }

                if (item.Id == "a" && call == 2)
                {
                    secondPassStarted.SetResult();
                }
                else if (item.Id == "c" && call == 1)
                {
                    await secondPassStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }

                return new AgentCallResult { Output = $"{item.Id}{call}", DurationMs = 1, InputTokens = 1, OutputTokens = 1 };
            },
            CancellationToken.None);

        Assert.Null(outcome.Termination);
        Assert.Equal(["a1", "b1", "c1", "a2", "b2", "c2"], outcome.Samples.Select(s => s.Output));
        Assert.Equal([0, 0, 0, 1, 1, 1], outcome.Samples.Select(s => s.Iteration));
        Assert.All(outcome.Samples, s => Assert.Null(s.ErrorKind));
    }

    [Fact]
    public async Task Warm_up_passes_have_all_ended_before_the_first_measured_call_starts()
    {
        var items = new[] { "a", "b" }.Select(id => new DatasetItem { Id = id, Input = id, Expected = id }).ToList();
        var gate = new Lock();
        int started = 0, ended = 0;
        var endedWhenMeasuredStarted = new List<int>();
        var executor = new BenchmarkExecutor(Tokens);

        var outcome = await executor.ExecuteAsync(
            new ExecutionPlan(items, WarmupRuns: 3, Iterations: 2, Concurrency: 4, MaxConsecutiveFailures: 10, new Pricing(0, 0, 0)),
            async (item, _) =>
            {
                lock (gate)
                {
                    if (started++ >= 6)
                    {
                        endedWhenMeasuredStarted.Add(ended);
                    }
                }

                await Task.Yield();
                lock (gate)
                {
                    ended++;
                }

                return new AgentCallResult { Output = item.Id, DurationMs = 1, InputTokens = 2, OutputTokens = 3 };
            },
            CancellationToken.None);

        Assert.Equal(6, outcome.Warmup.Calls);
        Assert.Equal(12, outcome.Warmup.InputTokens);
        Assert.Equal(["a", "b", "a", "b"], outcome.Samples.Select(s => s.Output));
        Assert.Equal(4, endedWhenMeasuredStarted.Count);
        Assert.All(endedWhenMeasuredStarted, e => Assert.True(e >= 6, $"a measured call started when {e} warm-up calls had ended"));
    }

    [Fact]
    public async Task Without_reported_usage_every_call_of_an_item_gets_its_input_counted_by_cl100k_however_often_it_is_called()
    {
        // Different inputs per item, so that a count reused for the wrong item would show.
        var items = new[] { ("a", "What is 2 + 3?"), ("b", "Écris un poème sur la mer, en trois vers."), ("c", "x") }
            .Select(p => new DatasetItem { Id = p.Item1, Input = p.Item2, Expected = "5" }).ToList();
        var executor = new BenchmarkExecutor(Tokens);

        var outcome = await executor.ExecuteAsync(
            new ExecutionPlan(items, WarmupRuns: 2, Iterations: 4, Concurrency: 3, MaxConsecutiveFailures: 10, new Pricing(0, 0, 0)),
            async (item, _) =>
            {
                await Task.Yield();
                return new AgentCallResult { Output = $"output of {item.Id}", DurationMs = 1 };
            },
            CancellationToken.None);

        Assert.Equal(12, outcome.Samples.Count);
        Assert.All(outcome.Samples, s =>
        {
            var item = items.Single(i => i.Id == s.ItemId);
            Assert.False(s.TokensReportedByAgent);
            Assert.Equal(Tokens.Count(item.Input), s.InputTokens);
            Assert.Equal(Tokens.Count($"output of {item.Id}"), s.OutputTokens);
        });
        Assert.Equal(2 * items.Sum(i => Tokens.Count(i.Input)), outcome.Warmup.InputTokens);
    }
}
