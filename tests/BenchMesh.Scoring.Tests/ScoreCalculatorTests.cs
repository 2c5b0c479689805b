using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Scoring.Rubrics;
using BenchMesh.Scoring.Scoring;

namespace BenchMesh.Scoring.Tests;

public class ScoreCalculatorTests
{
    private static readonly BenchmarkConstraints Targets = new() { TargetLatencyMs = 200, TargetTokens = 15, TargetCostUsd = 0.001 };

    internal static JudgedSample Sample(int iteration, string item, double score, double ms = 100, long tokens = 15, decimal cost = 0.001m, string? error = null, bool scored = true) =>
        new(new RawSample
        {
            Iteration = iteration, ItemId = item, Output = "x", DurationMs = ms, InputTokens = tokens - 5, OutputTokens = 5,
            TokensReportedByAgent = true, CostUsd = cost, ErrorKind = error, Error = error is null ? null : "boom",
        }, new RubricResult(score, "test", scored));

    [Fact]
    public void Known_inputs_give_known_scores()
    {
        var card = ScoreCalculator.Calculate(
        [
            Sample(0, "q1", 1, ms: 100), Sample(0, "q2", 0, ms: 300),
            Sample(1, "q1", 1, ms: 200), Sample(1, "q2", 0, ms: 5000, tokens: 0, cost: 0, error: SampleErrorKinds.Timeout),
        ], Targets);

        Assert.Equal(0.5, card.Scores.AccuracyScore, 9);       // (1 + 0 + 1 + 0) / 4
        Assert.Equal(0.5, card.Scores.SpeedScore, 9);          // median of 100, 300, 200 = 200 = target
        Assert.Equal(0.5, card.Scores.EfficiencyScore, 9);     // 15 tokens per successful call = target
        Assert.Equal(0.5, card.Scores.CostScore, 9);           // $0.003 / 3 successful calls = target
        Assert.Equal(0.75, card.Scores.ReliabilityScore, 9);   // 3 of 4 succeeded
        Assert.Equal(0.3 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5 + 0.15 * 0.5 + 0.15 * 0.75, card.Scores.OverallScore, 9);
        Assert.Equal(ExecutionStatuses.Completed, card.Status);
        Assert.Equal("timeout: boom", card.ErrorMessage);
        Assert.Equal(4, card.Metrics.ApiCallsMade);
        Assert.Equal(45, card.Metrics.TokensUsed);
        Assert.Equal(0.003m, card.Metrics.TotalCostUsd);
        Assert.Equal(0.001, card.Metrics.MeanCostPerTaskUsd, 12);
        Assert.Equal(0.001, card.Metrics.PerIteration[1].MeanCostPerTaskUsd, 12); // $0.001 / 1 successful call
        Assert.Equal([2, 2], card.ItemOutcomes["q1"]);
        Assert.Equal([0, 2], card.ItemOutcomes["q2"]);
        Assert.Equal(2, card.Metrics.PerIteration.Count);
        Assert.Equal(0.5, card.Metrics.PerIteration[1].Accuracy);
        Assert.Equal(0.5, card.Metrics.PerIteration[1].ErrorRate);
        Assert.Equal(200, card.Metrics.PerIteration[1].MedianLatencyMs);
    }

    [Fact]
    public void Faster_cheaper_leaner_calls_score_higher_and_scores_stay_in_bounds()
    {
        var slow = ScoreCalculator.Calculate([Sample(0, "q", 1, ms: 2000, tokens: 1500, cost: 0.1m)], Targets).Scores;
        var fast = ScoreCalculator.Calculate([Sample(0, "q", 1, ms: 20, tokens: 5, cost: 0.0001m)], Targets).Scores;
        Assert.True(fast.SpeedScore > slow.SpeedScore);
        Assert.True(fast.EfficiencyScore > slow.EfficiencyScore);
        Assert.True(fast.CostScore > slow.CostScore);
        foreach (var s in new[] { slow, fast })
        {
            foreach (var v in new[] { s.AccuracyScore, s.SpeedScore, s.EfficiencyScore, s.CostScore, s.ReliabilityScore, s.OverallScore })
            {
                Assert.InRange(v, 0, 1);
            }
        }
    }

    [Fact]
    public void A_free_agent_has_a_cost_score_of_one() =>
        Assert.Equal(1, ScoreCalculator.Calculate([Sample(0, "q", 1, cost: 0)], Targets).Scores.CostScore);

    [Fact]
    public void When_every_call_fails_the_execution_failed_and_every_score_is_zero()
    {
        var card = ScoreCalculator.Calculate(
            [Sample(0, "q", 0, tokens: 0, cost: 0, error: SampleErrorKinds.Connection), Sample(1, "q", 0, tokens: 0, cost: 0, error: SampleErrorKinds.Connection)],
            Targets);
        Assert.Equal(ExecutionStatuses.Failed, card.Status);
        Assert.Equal(0, card.Scores.AccuracyScore);
        Assert.Equal(0, card.Scores.SpeedScore);
        Assert.Equal(0, card.Scores.EfficiencyScore);
        Assert.Equal(0, card.Scores.ReliabilityScore);
        Assert.Equal(0, card.Scores.OverallScore);
        Assert.Equal("connection: boom", card.ErrorMessage);
    }

    [Fact]
    public void Failed_calls_cost_nothing_but_do_not_make_an_agent_cheaper()
    {
        // Failed calls are free: averaged over every call they used to give an all-failed execution a cost score of 1.
        var allFailed = ScoreCalculator.Calculate(
            [Sample(0, "q", 0, tokens: 0, cost: 0, error: SampleErrorKinds.Timeout), Sample(1, "q", 0, tokens: 0, cost: 0, error: SampleErrorKinds.Timeout)],
            Targets);
        Assert.Equal(0, allFailed.Scores.CostScore);
        Assert.Equal(0, allFailed.Metrics.MeanCostPerTaskUsd);

        // One success at the target cost and three free failures: the cost of a successful answer is the target (0.5),
        // as with no failure at all, not a quarter of it.
        var mostlyFailed = ScoreCalculator.Calculate(
        [
            Sample(0, "q", 1, cost: 0.001m),
            Sample(0, "r", 0, tokens: 0, cost: 0, error: SampleErrorKinds.Timeout),
            Sample(1, "q", 0, tokens: 0, cost: 0, error: SampleErrorKinds.Timeout),
            Sample(1, "r", 0, tokens: 0, cost: 0, error: SampleErrorKinds.Timeout),
        ], Targets);
        var allSucceeded = ScoreCalculator.Calculate([Sample(0, "q", 1, cost: 0.001m)], Targets);
        Assert.Equal(0.5, mostlyFailed.Scores.CostScore, 9);
        Assert.Equal(allSucceeded.Scores.CostScore, mostlyFailed.Scores.CostScore, 9);
        Assert.Equal(0.001, mostlyFailed.Metrics.MeanCostPerTaskUsd, 12);
        Assert.Equal(0, mostlyFailed.Metrics.PerIteration[1].MeanCostPerTaskUsd);
    }

    [Fact]
    public void Unscorable_samples_are_left_out_of_accuracy()
    {
        var card = ScoreCalculator.Calculate([Sample(0, "a", 1), Sample(0, "b", 0, scored: false)], Targets);
        Assert.Equal(1, card.Scores.AccuracyScore);
        Assert.Equal(1, card.UnscoredSamples);
        Assert.False(card.ItemOutcomes.ContainsKey("b"));
    }

    [Fact]
    public void When_nothing_can_be_scored_accuracy_is_zero_and_the_reason_is_given()
    {
        var card = ScoreCalculator.Calculate([Sample(0, "a", 0, scored: false)], Targets);
        Assert.Equal(0, card.Scores.AccuracyScore);
        Assert.Equal(0, card.ScoredSamples);
        Assert.Contains("No sample could be scored", card.ErrorMessage);
    }

    [Fact]
    public void The_quality_columns_follow_their_definitions()
    {
        // Four measured calls: two judged correct (one with partial credit 0.75), one judged wrong, one ungradable, one failed.
        var card = ScoreCalculator.Calculate(
        [
            Sample(0, "a", 1), Sample(0, "b", 0.75), Sample(0, "c", 0.25), Sample(0, "d", 0, scored: false),
            Sample(0, "e", 0, tokens: 0, cost: 0, error: SampleErrorKinds.Timeout),
        ], Targets);

        Assert.Equal(2.0 / 3, card.Quality.Correctness!.Value, 9);  // 2 of the 3 judged outputs at or above 0.5
        Assert.Equal(3.0 / 5, card.Quality.Completeness!.Value, 9); // 3 judged of 5 measured
        Assert.Equal(2.0 / 3, card.Quality.Relevance!.Value, 9);    // (1 + 0.75 + 0.25) / 3
        Assert.Equal(0.5, card.Scores.AccuracyScore, 9);            // (1 + 0.75 + 0.25 + 0) / 4: the ungradable one left out
        Assert.Equal(BenchmarkExecutionStatuses.Success, card.ExecutionStatus);
    }

    [Fact]
    public void Nothing_judged_leaves_correctness_and_relevance_unknown_and_completeness_zero()
    {
        var card = ScoreCalculator.Calculate([Sample(0, "a", 0, scored: false)], Targets);
        Assert.Null(card.Quality.Correctness);
        Assert.Null(card.Quality.Relevance);
        Assert.Equal(0, card.Quality.Completeness);
    }

    [Fact]
    public void The_table_status_is_success_terminated_or_failed_and_the_event_keeps_completed()
    {
        var terminated = ScoreCalculator.Calculate([Sample(0, "a", 1), Sample(0, "b", 0, error: SampleErrorKinds.Skipped)], Targets, terminatedEarly: true);
        Assert.Equal(BenchmarkExecutionStatuses.Terminated, terminated.ExecutionStatus);
        Assert.Equal(ExecutionStatuses.Completed, terminated.Status);

        var failed = ScoreCalculator.Calculate([Sample(0, "a", 0, error: SampleErrorKinds.Timeout)], Targets, terminatedEarly: true);
        Assert.Equal(BenchmarkExecutionStatuses.Failed, failed.ExecutionStatus);
        Assert.Equal(ExecutionStatuses.Failed, failed.Status);
    }

    [Fact]
    public void Memory_and_cpu_come_from_the_process_samples_and_are_unknown_for_remote_agents()
    {
        static JudgedSample Process(double ms, double peakMb, double cpuMs) => Sample(0, "a", 1, ms: ms) is var j
            ? j with { Sample = j.Sample with { PeakMemoryMb = peakMb, CpuTimeMs = cpuMs } }
            : throw new InvalidOperationException();

        var process = ScoreCalculator.Calculate([Process(100, 40, 50), Process(300, 90, 150)], Targets);
        Assert.Equal(90, process.Resources.MemoryPeakMb);
        Assert.Equal(50, process.Resources.CpuUsagePercent!.Value, 9); // 200 ms of CPU in 400 ms

        var remote = ScoreCalculator.Calculate([Sample(0, "a", 1)], Targets);
        Assert.Null(remote.Resources.MemoryPeakMb);
        Assert.Null(remote.Resources.CpuUsagePercent);
    }

    [Fact]
    public void The_judges_usage_is_counted_apart_from_the_agents()
    {
        static JudgedSample Judged(double? grade) => Sample(0, "a", grade ?? 0, scored: grade is not null) is var j
            ? j with
            {
                Sample = j.Sample with
                {
                    Judgement = new Judgement
                    {
                        Score = grade, JudgeAgentId = Guid.NewGuid(), JudgeVersion = "1", PromptSha256 = "ab",
                        InputTokens = 100, OutputTokens = 10, CostUsd = 0.5m, DurationMs = 30,
                    },
                },
            }
            : throw new InvalidOperationException();

        var card = ScoreCalculator.Calculate([Judged(0.9), Judged(null)], Targets);
        Assert.Equal(new JudgeUsage(2, 1, 200, 20, 1.0m, 60), card.Judge);
        Assert.Equal(30, card.Metrics.TokensUsed);           // the agent's 15 + 15 only
        Assert.Equal(0.002m, card.Metrics.TotalCostUsd);     // the agent's cost only
        Assert.Equal(0.5, card.Quality.Completeness!.Value, 9);
        Assert.Equal(0.9, card.Scores.AccuracyScore, 9);     // the ungradable sample is not a 0
    }

    [Fact]
    public void The_weights_sum_to_one() =>
        Assert.Equal(1, ScoreWeights.Accuracy + ScoreWeights.Speed + ScoreWeights.Efficiency + ScoreWeights.Cost + ScoreWeights.Reliability, 12);

    [Theory]
    [InlineData(1000, 0, 1)]
    [InlineData(1000, 1000, 0.5)]
    [InlineData(1000, 3000, 0.25)]
    [InlineData(0, 10, 0)]
    public void Reference_score_is_target_over_target_plus_value(double target, double value, double expected) =>
        Assert.Equal(expected, ScoreCalculator.Reference(target, value), 12);
}
