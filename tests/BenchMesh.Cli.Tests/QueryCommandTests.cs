using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

public sealed class QueryCommandTests
{
    private static object Entry(long rank, string name, string version, double accuracy) => new
    {
        agent_id = $"id-{name}",
        agent_name = name,
        agent_version = version,
        benchmark_category = "accuracy",
        scores_and_ranks = new { accuracy = new { score = accuracy, rank } },
        benchmarks_completed = 3,
        executions = 4,
        last_benchmark_date = "2025-01-01T00:00:00Z",
        best_ranking = rank,
        rank_interval = new { low = 1, high = rank + 1 },
        tied_with_leader = rank <= 2,
    };

    private static Task<FakeGateway> LeaderboardGatewayAsync() => FakeGateway.StartAsync(app =>
        app.MapGet("/benchmarks/leaderboard", (string? category, string? metric, string? group_by) => Api.Json(new
        {
            category = category ?? "overall",
            metric = metric ?? "all",
            group_by = group_by ?? "agent",
            status = "all",
            window_days = 30,
            generated_at = "2025-01-01T00:00:00Z",
            // Deliberately not in rank order: the table must still list rank 1 first.
            entries = new[] { Entry(2, "beta-bot", "2.0", 0.71), Entry(1, "alpha-bot", "1.3", 0.92), Entry(3, "gamma-bot", "0.9", 0.42) },
        })));

    [Fact]
    public async Task Leaderboard_lists_agents_in_rank_order_with_their_scores()
    {
        await using var gateway = await LeaderboardGatewayAsync();

        var result = await CliHarness.RunAsync(
            "leaderboard", "--gateway", gateway.Url, "--category", "accuracy", "--metric", "accuracy", "--limit", "3", "--group-by", "version", "--status", "success");

        Assert.True(result.ExitCode == 0, result.ToString());
        var alpha = result.Output.IndexOf("alpha-bot", StringComparison.Ordinal);
        var beta = result.Output.IndexOf("beta-bot", StringComparison.Ordinal);
        var gamma = result.Output.IndexOf("gamma-bot", StringComparison.Ordinal);
        Assert.True(alpha >= 0 && alpha < beta && beta < gamma, result.Output);
        var alphaLine = result.Output.Split('\n').Single(l => l.Contains("alpha-bot", StringComparison.Ordinal));
        Assert.Contains("1.3", alphaLine);
        Assert.Contains("0.920 (1)", alphaLine);
        Assert.Contains("1–2 *", alphaLine);
        Assert.Contains("4 ", alphaLine);
        var gammaLine = result.Output.Split('\n').Single(l => l.Contains("gamma-bot", StringComparison.Ordinal));
        Assert.Contains("1–4", gammaLine);
        Assert.DoesNotContain("*", gammaLine);
        Assert.Contains("Leaderboard: accuracy by accuracy", result.Output);
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/benchmarks/leaderboard?category=accuracy&metric=accuracy&limit=3&group_by=version&status=success");
    }

    [Fact]
    public async Task Leaderboard_json_prints_the_gateway_answer()
    {
        await using var gateway = await LeaderboardGatewayAsync();

        var result = await CliHarness.RunAsync("leaderboard", "--gateway", gateway.Url, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(3, document.RootElement.GetProperty("entries").GetArrayLength());
        Assert.Equal("alpha-bot", document.RootElement.GetProperty("entries")[1].GetProperty("agent_name").GetString());
    }

    [Fact]
    public async Task Gateway_url_comes_from_the_environment_when_not_given()
    {
        await using var gateway = await LeaderboardGatewayAsync();

        var result = await CliHarness.RunAsync(
            new Dictionary<string, string> { [Cli.GatewayEnvironmentVariable] = gateway.Url }, "leaderboard");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("alpha-bot", result.Output);
    }

    [Fact]
    public async Task Results_lists_executions_and_passes_the_filters()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapGet("/benchmarks/agents/{agent}/results", (string agent, string? timeframe) => Api.Json(new
            {
                agent_id = agent,
                timeframe = timeframe ?? "latest",
                results = new object[]
                {
                    new
                    {
                        execution_id = "e-1", run_id = "r-1", agent_id = agent, agent_version = "1.1", suite_id = "s-1",
                        benchmark_id = "b-1", benchmark_name = "arithmetic", accuracy_score = 0.9, speed_score = 0.8,
                        efficiency_score = 0.7, cost_score = 0.6, reliability_score = 1.0, overall_score = 0.83,
                        execution_time_ms = 1520.5, tokens_used = 987, api_calls_made = 10, cost_usd = 0.0021,
                        status = "success", completion_status = "completed", error_message = (string?)null, metrics = new { }, created_at = "2025-02-03T04:05:06Z",
                    },
                    new
                    {
                        execution_id = "e-2", run_id = "r-1", agent_id = agent, agent_version = "1.1", suite_id = "s-1",
                        benchmark_id = "b-2", benchmark_name = "translate", accuracy_score = 0.0, speed_score = 0.0,
                        efficiency_score = 0.0, cost_score = 0.0, reliability_score = 0.0, overall_score = 0.0,
                        execution_time_ms = 30000.0, tokens_used = 0, api_calls_made = 10, cost_usd = 0.0,
                        status = "failed", completion_status = "failed", error_message = (string?)"every call timed out", metrics = new { }, created_at = "2025-02-03T04:05:07Z",
                    },
                },
            })));

        var result = await CliHarness.RunAsync("results", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "s-1", "--timeframe", "all");

        Assert.True(result.ExitCode == 0, result.ToString());
        var arithmetic = result.Output.Split('\n').Single(l => l.Contains("arithmetic", StringComparison.Ordinal) && l.Contains("0.830", StringComparison.Ordinal));
        Assert.Contains("987", arithmetic);
        Assert.Contains("1520.5", arithmetic);
        Assert.Contains("2025-02-03 04:05:06Z", arithmetic);
        Assert.Contains("translate (e-2): every call timed out", result.Output);
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/benchmarks/agents/agent-1/results?suite_id=s-1&timeframe=all");
    }

    [Fact]
    public async Task Results_colour_success_green_terminated_yellow_with_its_reason_and_meaning_and_failed_red()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapGet("/benchmarks/agents/{agent}/results", (string agent) => Api.Json(new
            {
                agent_id = agent,
                timeframe = "latest",
                results = new object[]
                {
                    Execution("e-1", "alpha", "success", "completed", terminationReason: null),
                    Execution("e-2", "bravo", "terminated", "completed", terminationReason: "token_limit"),
                    Execution("e-3", "charlie", "failed", "failed", terminationReason: null),
                },
            })));

        var result = await CliHarness.RunAsync(null, terminal: true, "results", "--gateway", gateway.Url, "--agent", "agent-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n');
        // Spectre's standard (4-bit) colours: green 32, bright yellow 93, bright red 91.
        Assert.Contains("\u001b[32msuccess", lines.Single(l => l.Contains("alpha", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("\u001b[93mterminated (token_limit)", lines.Single(l => l.Contains("bravo", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("\u001b[91mfailed", lines.Single(l => l.Contains("charlie", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("terminated: a limit or the consecutive-failure rule stopped the benchmark early", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_without_a_terminated_execution_print_no_legend()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapGet("/benchmarks/agents/{agent}/results", (string agent) => Api.Json(new
            {
                agent_id = agent,
                timeframe = "latest",
                results = new object[] { Execution("e-1", "alpha", "success", "completed", terminationReason: null) },
            })));

        var result = await CliHarness.RunAsync("results", "--gateway", gateway.Url, "--agent", "agent-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("success", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("terminated", result.Output, StringComparison.Ordinal);
    }

    private static object Execution(string id, string benchmark, string status, string completionStatus, string? terminationReason) => new
    {
        execution_id = id, run_id = "r-1", agent_id = "agent-1", agent_version = "1.1", suite_id = "s-1",
        benchmark_id = "b-" + id, benchmark_name = benchmark, overall_score = 0.5, status, completion_status = completionStatus,
        terminated_early = terminationReason is not null, termination_reason = terminationReason, created_at = "2025-02-03T04:05:06Z",
    };

    [Fact]
    public async Task Results_rejects_an_unknown_timeframe_before_calling_the_gateway()
    {
        await using var gateway = await FakeGateway.StartAsync(_ => { });

        var result = await CliHarness.RunAsync("results", "--gateway", gateway.Url, "--agent", "agent-1", "--timeframe", "week");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("week", result.Error);
        Assert.Empty(gateway.Requests);
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 0)]
    public async Task Regressions_shows_health_and_action_and_exits_2_only_when_regressed(bool regressed, int exitCode)
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapGet("/benchmarks/agents/{agent}/regressions", () => Api.Json(Api.Regressions(regressed))));

        var result = await CliHarness.RunAsync("regressions", "--gateway", gateway.Url, "--agent", "agent-1", "--baseline", "1.0", "--threshold", "0.05");

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(regressed ? "critical" : "healthy", result.Output);
        Assert.Contains(regressed ? "block_release" : "none", result.Output);
        Assert.Contains("1.1 compared with baseline 1.0", result.Output);
        if (regressed)
        {
            var row = result.Output.Split('\n').Single(l => l.Contains("latency_ms", StringComparison.Ordinal));
            Assert.Contains("summarize", row);
            Assert.Contains("30.1", row);
            Assert.Contains("92.4", row);
            Assert.Contains("207.0%", row);
        }
        else
        {
            Assert.Contains("No regressions.", result.Output);
        }

        // Every verdict is listed, inconclusive ones with their MDE and the runs that would settle them.
        Assert.Contains(regressed ? "Verdicts (1 inconclusive, 1 regressed)" : "Verdicts (1 inconclusive, 1 no_change)", result.Output);
        var accuracy = result.Output.Split('\n').Single(l => l.Contains("accuracy", StringComparison.Ordinal));
        Assert.Contains(regressed ? "-45.0 pts [-59.8 pts, -30.2 pts]" : "+0.2 pts [-0.4 pts, +0.8 pts]", accuracy);
        Assert.Contains(regressed ? "9.0E-5" : "0.41", accuracy);
        Assert.Contains("2.1 pts", accuracy);
        var cost = result.Output.Split('\n').Single(l => l.Contains("cost_per_task_usd", StringComparison.Ordinal));
        Assert.Contains("inconclusive", cost);
        Assert.Contains("+3.1% [-2.0%, +8.5%]", cost);
        Assert.Contains("9.4%", cost);
        Assert.Contains("7 more run(s) would settle it", cost);
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/benchmarks/agents/agent-1/regressions?baseline_version=1.0&threshold=0.05");
    }
}
