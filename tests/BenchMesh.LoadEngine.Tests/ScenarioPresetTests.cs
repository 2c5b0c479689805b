using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Scenarios;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>Every preset, scaled down to seconds, against the in-process server.</summary>
public sealed class ScenarioPresetTests(TestTargetFixture fixture) : IClassFixture<TestTargetFixture>
{
    private ScenarioTarget Raw => new() { Url = fixture.Target.Url("/") };

    private ScenarioTarget Json(string path) => new()
    {
        Url = fixture.Target.Url(path),
        Request = new RequestSpec { Protocol = LoadProtocols.HttpJson, Inputs = ["What is 2 + 3?"] },
    };

    [Fact]
    public async Task High_load_holds_its_rate_and_scores_a_healthy_target_high()
    {
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.HighLoad, Raw, Overrides(("rate", 200), ("duration_s", 1), ("connections", 20)));

        var phase = Assert.Single(result.Phases);
        Assert.Equal(200, phase.Result.Started + phase.Result.Dropped);
        Assert.Equal(200, result.Parameters["rate"]);
        Assert.Equal(1, result.Components.Success);
        Assert.InRange(result.ResilienceScore, 0.6, 1);
        Assert.True(result.ScalingLimits["max_sustained_rps"] > 150);
        Assert.NotEmpty(result.Recommendations);
    }

    [Fact]
    public async Task Sustained_load_reports_p99_drift()
    {
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.SustainedLoad, Raw, Overrides(("rate", 50), ("duration_s", 3)));

        Assert.Equal(3, result.Phases[0].Result.Timeline.Count);
        Assert.NotNull(result.Findings.P99DriftRatio);
        AssertScored(result);
    }

    [Fact]
    public async Task Spike_runs_baseline_spike_and_recovery_and_reports_recovery()
    {
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.Spike, Raw, Overrides(("base_rate", 20), ("spike_rate", 200), ("base_s", 1), ("spike_s", 1)));

        Assert.Equal(["baseline", "spike", "recovery"], result.Phases.Select(p => p.Name));
        Assert.Equal(200, result.Phases[1].Result.TargetRps);
        Assert.NotNull(result.Findings.Recovered);
        AssertScored(result);
    }

    [Fact]
    public async Task Failure_recovery_overloads_past_capacity_and_measures_the_way_back()
    {
        // /capacity answers 503 above 250 requests a second.
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.FailureRecovery, Json("/capacity"),
            Overrides(("base_rate", 20), ("overload_rate", 600), ("base_s", 1), ("overload_s", 1), ("recovery_s", 2)));

        Assert.Equal(["baseline", "overload", "recovery"], result.Phases.Select(p => p.Name));
        Assert.True(result.Phases[1].Result.Errors.GetValueOrDefault("http_503") > 100);
        // Back under capacity, the target answers every request again. Whether its latency is judged back at baseline
        // depends on this machine's load at that moment (a latency comparison, not a timing we control), so the test
        // asks only that the finding is made and, when recovered, lies within the recovery phase.
        // Overload requests the server is still working through when recovery starts take the bucket's first tokens
        // (it counts at processing time): CI once saw one 503 of ~40 recovery requests. More than a few means no recovery.
        Assert.InRange((long)result.Phases[2].Result.Errors.GetValueOrDefault("http_503"), 0L, 3L);
        Assert.NotNull(result.Findings.Recovered);
        if (result.Findings.Recovered == true)
        {
            Assert.InRange(result.Findings.RecoverySeconds ?? -1, 0, 2);
        }

        Assert.True(result.Components.Success < 1);
        Assert.Contains(result.Recommendations, r => r.Contains("overload:", StringComparison.Ordinal) && r.Contains("http_503", StringComparison.Ordinal));
        AssertScored(result);
    }

    [Fact]
    public async Task Memory_pressure_grows_bodies_and_reports_the_largest_served()
    {
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.MemoryPressure, Json("/json"),
            Overrides(("rate", 10), ("duration_s", 1), ("input_chars_start", 1_000), ("input_chars_end", 200_000)));

        Assert.Equal(0, result.Phases[0].Result.ErrorCount);
        Assert.Equal(200_000, result.ScalingLimits["max_input_chars_ok"]);
        AssertScored(result);
    }

    [Fact]
    public async Task Concurrent_requests_ramps_users_and_reports_the_concurrency_at_peak()
    {
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.ConcurrentRequests, Raw, Overrides(("max_concurrency", 8), ("duration_s", 2)));

        Assert.Null(result.Phases[0].Result.TargetRps);
        Assert.InRange(result.ScalingLimits["concurrency_at_peak"], 1, 8);
        Assert.True(result.ScalingLimits["peak_rps"] > 0);
        AssertScored(result);
    }

    [Fact]
    public async Task Large_inputs_steps_sizes_by_ten()
    {
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.LargeInputs, Json("/json"),
            Overrides(("rate", 10), ("step_s", 1), ("input_chars_start", 100), ("input_chars_end", 10_000)));

        Assert.Equal(["chars_100", "chars_1000", "chars_10000"], result.Phases.Select(p => p.Name));
        Assert.Equal(10_000, result.ScalingLimits["max_input_chars_ok"]);
        AssertScored(result);
    }

    [Fact]
    public async Task Rate_limiting_sees_429_with_retry_after_and_recovery()
    {
        // /limited serves 20 requests a second and answers 429 with Retry-After: 1 to the rest.
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.RateLimiting, Json("/limited"),
            Overrides(("declared_limit_rps", 20), ("overload_factor", 4), ("phase_s", 1), ("max_wait_s", 1)));

        Assert.Equal(["over_limit", "under_limit"], result.Phases.Select(p => p.Name));
        Assert.True(result.Findings.RateLimited);
        Assert.Equal(1, result.Findings.RetryAfterFraction);
        Assert.True(result.Findings.Recovered);
        Assert.Equal(1, result.Phases[0].Result.RateLimited.MaxRetryAfterSeconds);
        // Correct 429s are not failures, so a well-behaved limiter scores full marks for success and recovery.
        Assert.Equal(1, result.Components.Success);
        Assert.Equal(1, result.Components.Recovery);
        AssertScored(result);
    }

    [Fact]
    public async Task A_limiter_that_never_limits_is_called_out()
    {
        var result = await ScenarioPresets.RunAsync(ScenarioPresets.RateLimiting, Json("/json"),
            Overrides(("declared_limit_rps", 10), ("phase_s", 1), ("max_wait_s", 1)));

        Assert.False(result.Findings.RateLimited);
        Assert.Equal(0.5, result.Components.Recovery);
        Assert.Contains(result.Recommendations, r => r.Contains("the limit is not enforced", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_scenarios_and_parameters_are_refused()
    {
        var scenario = await Assert.ThrowsAsync<ArgumentException>(() => ScenarioPresets.RunAsync("soak", Raw));
        var parameter = await Assert.ThrowsAsync<ArgumentException>(() => ScenarioPresets.RunAsync(ScenarioPresets.HighLoad, Raw, Overrides(("rps", 5))));
        var negative = await Assert.ThrowsAsync<ArgumentException>(() => ScenarioPresets.RunAsync(ScenarioPresets.HighLoad, Raw, Overrides(("rate", -5))));
        var raw = await Assert.ThrowsAsync<ArgumentException>(() => ScenarioPresets.RunAsync(ScenarioPresets.LargeInputs, Raw));

        Assert.Contains("Unknown scenario 'soak'", scenario.Message);
        Assert.Contains("high_load has no parameter 'rps'", parameter.Message);
        Assert.Contains("'rate' must be a positive number", negative.Message);
        Assert.Contains("use the http-json or openai-chat protocol", raw.Message);
        Assert.Equal(8, ScenarioPresets.All.Count);
        Assert.All(ScenarioPresets.All.Values, p => Assert.Contains(p.Parameters, q => q.Name == "connections"));
    }

    [Fact]
    public void The_score_weighs_its_parts()
    {
        Assert.Equal(1, Resilience.Score(new ResilienceComponents(1, 1, 1, 1)));
        Assert.Equal(0, Resilience.Score(new ResilienceComponents(0, 0, 0, 0)));
        Assert.Equal(0.35 + 0.25 * 0.5, Resilience.Score(new ResilienceComponents(1, 0.5, 0, 0)), 9);
    }

    private static void AssertScored(ScenarioResult result)
    {
        Assert.NotEmpty(result.Phases);
        Assert.All(result.Phases, p => Assert.True(p.Result.Requests > 0, $"{p.Name} made no requests"));
        Assert.InRange(result.ResilienceScore, 0, 1);
        Assert.Equal(Resilience.Score(result.Components), result.ResilienceScore);
        Assert.NotEmpty(result.Recommendations);
    }

    private static Dictionary<string, double> Overrides(params (string Name, double Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);
}
