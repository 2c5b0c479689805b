using BenchMesh.Scoring.Profiling;

namespace BenchMesh.Scoring.Tests;

/// <summary>The profile's rules on executions made to show each one (docs/profile.md).</summary>
public class ProfilerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static ProfileCall Call(
        double ms = 300, double? ttft = 100, double? connect = 1, double? write = 1, long input = 100, long output = 50,
        long? cached = null, bool failed = false, bool? correct = true) =>
        new(ms, ttft, connect, write, input, output, cached, null, null, failed, failed ? false : correct);

    /// <summary>An execution whose measured calls took <paramref name="wallMs"/> of wall time (by default: back to back).</summary>
    private static ProfileInput Execution(IReadOnlyList<ProfileCall> calls, int concurrency = 1, double? wallMs = null, double queueMs = 100,
        long warmupTokens = 0) => new()
    {
        StartTime = Start,
        EndTime = Start.AddMilliseconds(wallMs ?? calls.Sum(c => c.DurationMs)),
        RequestedAt = Start.AddMilliseconds(-queueMs),
        Concurrency = concurrency,
        WarmupTokens = warmupTokens,
        ScoringMs = 5,
        PersistenceMs = 20,
        Calls = calls,
    };

    private static IEnumerable<string> Rules(PerformanceProfile p) =>
        p.ProfileData.Bottlenecks.Select(b => b.Rule).Concat(p.OptimizationOpportunities.Select(o => o.Rule)).Distinct();

    [Fact]
    public void A_fast_lean_correct_execution_has_nothing_to_report()
    {
        var profile = Profiler.Build(Execution(Enumerable.Range(0, 10).Select(_ => Call()).ToList()));

        Assert.Empty(profile.ProfileData.Bottlenecks);
        Assert.Empty(profile.OptimizationOpportunities);

        var phases = profile.ProfileData.ExecutionPhases.ToDictionary(p => p.PhaseName);
        Assert.Equal(
            ["queue_wait", "warm_up", "connect", "request_write", "time_to_first_token", "generation", "judging", "scoring", "persistence"],
            profile.ProfileData.ExecutionPhases.Select(p => p.PhaseName));
        Assert.Equal(100, phases["queue_wait"].DurationMs);
        Assert.Equal(10, phases["connect"].DurationMs);
        Assert.Equal(980, phases["time_to_first_token"].DurationMs);      // 10 × (100 − 1 − 1)
        Assert.Equal(2000, phases["generation"].DurationMs);              // 10 × (300 − 100)
        Assert.Null(phases["warm_up"].DurationMs);                        // not measured
        Assert.Null(phases["judging"].DurationMs);
        Assert.Equal(12, phases["persistence"].ResourceUsage!.IoOperations); // the execution, 10 samples, the outbox row
        Assert.Equal(100, profile.ProfileData.ExecutionPhases.Sum(p => p.PercentageOfTotal ?? 0), 9);
        Assert.Equal(1, profile.ProfileData.ResourceUtilization.ParallelizationScore!.Value, 9);
        Assert.Null(profile.ProfileData.ResourceUtilization.CpuEfficiency); // a remote agent
    }

    [Fact]
    public void A_slow_first_token_is_a_bottleneck_with_its_impact()
    {
        var profile = Profiler.Build(Execution(Enumerable.Range(0, 10).Select(_ => Call(ms: 2500, ttft: 2000, connect: 5, write: 5)).ToList()));

        Assert.Equal(["slow_first_token"], Rules(profile));
        var bottleneck = Assert.Single(profile.ProfileData.Bottlenecks);
        Assert.Equal("agent: time to first token", bottleneck.Location);
        Assert.Equal(15_000, bottleneck.ImpactMs, 9);                      // 10 × (2000 − 500)
        Assert.Contains("2000 ms", bottleneck.Cause);
        var opportunity = Assert.Single(profile.OptimizationOpportunities);
        Assert.Equal("latency", opportunity.Category);
        Assert.Equal(0.6, opportunity.EstimatedImpact, 9);                 // 15 s of the 25 s of call time
    }

    [Fact]
    public void A_saturated_concurrency_is_named_instead_of_the_slow_first_token_it_causes()
    {
        // Eight slots on an agent that serves one request at a time: the first calls wait 0, 1, ... 7 services, then every
        // call waits for the seven ahead of it. Every slot stays busy (wall time = call time / 8).
        var calls = Enumerable.Range(0, 40).Select(i => Math.Min(i + 1, 8) * 300.0).Select(d => Call(ms: d, ttft: d - 100)).ToList();
        var profile = Profiler.Build(Execution(calls, concurrency: 8, wallMs: calls.Sum(c => c.DurationMs) / 8));

        Assert.Equal(["saturated_concurrency"], Rules(profile));
        var bottleneck = Assert.Single(profile.ProfileData.Bottlenecks);
        Assert.Equal("agent: request queue", bottleneck.Location);
        Assert.Equal(87_600 - 40 * 300, bottleneck.ImpactMs, 9);           // every call's time beyond the fastest
        Assert.Equal(1, profile.ProfileData.ResourceUtilization.ParallelizationScore!.Value, 9);
        Assert.Equal(8, profile.ProfileData.ResourceUtilization.AchievedConcurrency!.Value, 9);
        Assert.Equal("concurrency", Assert.Single(profile.OptimizationOpportunities).Category);
    }

    [Fact]
    public void A_token_hungry_prompt_is_an_opportunity()
    {
        var profile = Profiler.Build(Execution(Enumerable.Range(0, 10).Select(_ => Call(input: 5000, output: 100, cached: 0)).ToList()));

        Assert.Equal(["token_hungry_prompt"], Rules(profile));
        var opportunity = Assert.Single(profile.OptimizationOpportunities);
        Assert.Equal("tokens", opportunity.Category);
        Assert.Equal(0.5 * 50_000 / 51_000, opportunity.EstimatedImpact, 9);
        Assert.Equal("medium", opportunity.ImplementationEffort);

        // The same prompts served mostly from the prompt cache are fine.
        var cached = Profiler.Build(Execution(Enumerable.Range(0, 10).Select(_ => Call(input: 5000, output: 100, cached: 4000)).ToList()));
        Assert.Empty(cached.OptimizationOpportunities);
        Assert.Equal(40_000, cached.ProfileData.TokenAnalysis.CacheHits);
    }

    [Fact]
    public void Slow_connections_are_a_network_bottleneck()
    {
        var profile = Profiler.Build(Execution(Enumerable.Range(0, 10).Select(_ => Call(ms: 300, ttft: 150, connect: 100)).ToList()));

        Assert.Equal(["connection_setup"], Rules(profile));
        Assert.Equal(1000, Assert.Single(profile.ProfileData.Bottlenecks).ImpactMs, 9);
        Assert.Equal(1 - 1010.0 / 3000, profile.ProfileData.ResourceUtilization.IoEfficiency!.Value, 9);
    }

    [Fact]
    public void A_long_wait_for_a_worker_is_a_queue_bottleneck()
    {
        var profile = Profiler.Build(Execution(Enumerable.Range(0, 10).Select(_ => Call()).ToList(), queueMs: 20_000));

        Assert.Equal(["queue_wait"], Rules(profile));
        Assert.Equal("runner: queue", Assert.Single(profile.ProfileData.Bottlenecks).Location);
    }

    [Fact]
    public void Calls_that_did_not_overlap_leave_concurrency_unused()
    {
        // Eight slots, but the calls ran one after another.
        var profile = Profiler.Build(Execution(Enumerable.Range(0, 10).Select(_ => Call()).ToList(), concurrency: 8));

        Assert.Equal(["underused_concurrency"], Rules(profile));
        Assert.Equal(0.125, profile.ProfileData.ResourceUtilization.ParallelizationScore!.Value, 9);
        Assert.Equal(0.875, Assert.Single(profile.OptimizationOpportunities).EstimatedImpact, 9);
    }

    [Fact]
    public void Wasted_tokens_count_warm_ups_failures_and_wrong_answers()
    {
        List<ProfileCall> calls =
        [
            Call(), Call(), Call(correct: false), Call(input: 40, output: 0, failed: true),
            Call(correct: null), // unscored: neither useful nor wasted by the definition
        ];
        var profile = Profiler.Build(Execution(calls, warmupTokens: 1000));

        var tokens = profile.ProfileData.TokenAnalysis;
        Assert.Equal(1000, tokens.WarmupTokens);
        Assert.Equal(40, tokens.FailedCallTokens);
        Assert.Equal(150, tokens.WrongAnswerTokens);
        Assert.Equal(1190, tokens.WastedTokens);
        // All tokens: 1000 of warm-ups + four answers of 150 + the failed call's 40 = 1640.
        Assert.Equal((1640 - 1190) / 1640.0, tokens.TokenEfficiency!.Value, 9);

        // Most of it went to warm-ups: the rule says so, and that is a low-effort change.
        var opportunity = Assert.Single(profile.OptimizationOpportunities);
        Assert.Equal("wasted_tokens", opportunity.Rule);
        Assert.Equal("low", opportunity.ImplementationEffort);
    }

    [Fact]
    public void An_execution_without_phases_or_calls_still_has_a_profile()
    {
        // A schema-1 execution whose every call was skipped: nothing measured, nothing to report, no division by zero.
        var profile = Profiler.Build(new ProfileInput
        {
            StartTime = Start, EndTime = Start, Calls = [new ProfileCall(0, null, null, null, 0, 0, null, null, null, true, false)],
        });

        Assert.Empty(Rules(profile));
        Assert.All(profile.ProfileData.ExecutionPhases.Where(p => p.PhaseName != "generation"), p => Assert.Null(p.DurationMs));
        Assert.Null(profile.ProfileData.ResourceUtilization.ParallelizationScore);
        Assert.Null(profile.ProfileData.TokenAnalysis.TokenEfficiency);
    }
}
