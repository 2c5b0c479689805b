using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

public sealed class CompareCommandTests
{
    private const string Suite = "5d9f4c1e-0000-4000-8000-000000000001";
    private const string AgentA = "a1a1a1a1-0000-4000-8000-000000000001";
    private const string AgentB = "b2b2b2b2-0000-4000-8000-000000000002";
    private const string RefA = AgentA + "@1.0";
    private const string RefB = AgentB + "@2.0";

    private static object Agent(string id, string name, string version) => new
    {
        @ref = $"{id}@{version}", agent_id = id, agent_name = name, agent_version = version, executions = 3, benchmarks = 3,
        overall_score = 0.7, accuracy_score = 0.6, speed_score = 0.5, efficiency_score = 0.5, cost_score = 0.5, reliability_score = 1.0,
        mean_cost_per_task_usd = 0.002, median_latency_ms = 100.0, mean_tokens_per_task = 20.0, error_rate = 0.0,
    };

    private static object Metric(string metric, double a, double b, double? percentage, string? winner, string test, double p, double q, int samples, string unit) => new
    {
        metric, agent_a_score = a, agent_b_score = b, difference = a - b, percentage_difference = percentage, winner,
        statistical_significance = new
        {
            test, basis = unit == "items" ? "per_item" : "per_benchmark", p_value = p, q_value = q, significant = winner is not null,
            effect = new { estimate = a - b, lower = a - b - 0.1, upper = a - b + 0.1 }, minimum_detectable_effect = 0.05,
            agent_a_samples = samples, agent_b_samples = samples, sample_unit = unit,
            verdict = winner is null ? "no_significant_difference" : winner == RefA ? "agent_a_better" : "agent_b_better",
        },
        note = winner is null ? "No significant difference (q=0.6 > 0.05)." : "better",
    };

    private static object Pair(string refA, string refB, object agentA, object agentB) => new
    {
        agent_a = agentA,
        agent_b = agentB,
        overall_winner = refB,
        agent_a_wins = 0,
        agent_b_wins = 1,
        category_winners = new Dictionary<string, string?> { ["math"] = refB, ["code"] = null },
        categories = new object[]
        {
            new { category = "code", benchmarks = 1, agent_a_executions = 1, agent_b_executions = 1, winner = (string?)null, agent_a_wins = 0, agent_b_wins = 0, detailed_metrics = Array.Empty<object>() },
            new { category = "math", benchmarks = 2, agent_a_executions = 2, agent_b_executions = 2, winner = (string?)refB, agent_a_wins = 0, agent_b_wins = 1, detailed_metrics = Array.Empty<object>() },
        },
        detailed_metrics = new[]
        {
            Metric("accuracy", 0.5, 1.0, -50.0, refB, "mcnemar_exact", 6.1e-5, 3.05e-4, 30, "items"),
            Metric("speed", 0.6, 0.6, 0.0, null, "paired_t", 0.6, 1, 3, "benchmarks"),
            Metric("cost", 0.5, 0.0, null, null, "paired_t", 0.3, 0.75, 3, "benchmarks"),
        },
        statistical_significance = new Dictionary<string, double> { ["accuracy"] = 6.1e-5, ["speed"] = 0.6, ["cost"] = 0.3 },
        recommendations = new[]
        {
            "Overall, prefer beta 2.0: significantly better on 1 of 5 metrics (accuracy).",
            "Use beta 2.0 for accuracy-critical work: 50.0 points more accurate, 100.0% vs 50.0% (p<0.001, 30 items).",
        },
    };

    private static Task<FakeGateway> GatewayAsync() => FakeGateway.StartAsync(app =>
        app.MapPost("/benchmarks/compare", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            if (body.RootElement.GetProperty("comparison_type").GetString() == "matrix")
            {
                var c = "c3c3c3c3-0000-4000-8000-000000000003";
                return Api.Json(new
                {
                    comparison_type = "matrix",
                    suite_id = Suite,
                    agents = new[] { Agent(AgentA, "alpha", "1.0"), Agent(AgentB, "beta", "2.0"), Agent(c, "gamma", "1.0") },
                    pairs = new[]
                    {
                        Pair(RefA, RefB, Agent(AgentA, "alpha", "1.0"), Agent(AgentB, "beta", "2.0")),
                        Pair(RefA, $"{c}@1.0", Agent(AgentA, "alpha", "1.0"), Agent(c, "gamma", "1.0")),
                        Pair(RefB, $"{c}@1.0", Agent(AgentB, "beta", "2.0"), Agent(c, "gamma", "1.0")),
                    },
                });
            }

            return Api.Json(Pair(RefA, RefB, Agent(AgentA, "alpha", "1.0"), Agent(AgentB, "beta", "2.0")));
        }));

    [Fact]
    public async Task Head_to_head_shows_each_metric_its_significant_winner_the_categories_and_the_recommendations()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync("compare", AgentA, $"{AgentB}@2.0", "--suite", Suite, "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(gateway.Requests);
        Assert.Equal("/benchmarks/compare", request.PathAndQuery);
        using (var body = JsonDocument.Parse(request.Body))
        {
            Assert.Equal([AgentA, $"{AgentB}@2.0"], body.RootElement.GetProperty("agent_ids").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(Suite, body.RootElement.GetProperty("suite_id").GetString());
            Assert.Equal("head_to_head", body.RootElement.GetProperty("comparison_type").GetString());
        }

        var lines = result.Output.Split('\n');
        Assert.Contains("Head-to-head: alpha 1.0 vs beta 2.0", result.Output);
        var accuracy = lines.Single(l => l.Contains("accuracy", StringComparison.Ordinal) && l.Contains("mcnemar_exact", StringComparison.Ordinal));
        Assert.Contains("0.500", accuracy);
        Assert.Contains("-0.500", accuracy);
        Assert.Contains("-50.0%", accuracy);
        Assert.Contains("beta 2.0", accuracy);
        Assert.Contains("6.1E-5", accuracy);
        Assert.Contains("30 items", accuracy);
        Assert.Contains("no significant difference", lines.Single(l => l.Contains("speed", StringComparison.Ordinal)));
        // Agent b scored 0 on cost: no percentage, shown as '-'.
        var cost = lines.Single(l => l.Contains("cost", StringComparison.Ordinal) && l.Contains("paired_t", StringComparison.Ordinal));
        Assert.DoesNotContain("%", cost);
        Assert.Contains("Overall winner: beta 2.0 (0 vs 1 significant metric wins).", result.Output);
        Assert.Contains("beta 2.0", lines.Single(l => l.Contains("math", StringComparison.Ordinal)));
        Assert.Contains("none (tie)", lines.Single(l => l.Contains("code", StringComparison.Ordinal)));
        Assert.Contains("• Use beta 2.0 for accuracy-critical work: 50.0 points more accurate, 100.0% vs 50.0% (p<0.001, 30 items).", result.Output);
    }

    [Fact]
    public async Task Matrix_lists_every_pair_with_its_winner_and_recommendations()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync("compare", AgentA, AgentB, "c3c3c3c3-0000-4000-8000-000000000003", "--suite", Suite, "--matrix", "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        using (var body = JsonDocument.Parse(Assert.Single(gateway.Requests).Body))
        {
            Assert.Equal("matrix", body.RootElement.GetProperty("comparison_type").GetString());
            Assert.Equal(3, body.RootElement.GetProperty("agent_ids").GetArrayLength());
        }

        Assert.Contains("3 pair(s)", result.Output);
        var alphaBeta = result.Output.Split('\n').Single(l => l.Contains("alpha 1.0", StringComparison.Ordinal) && l.Contains("accuracy: beta 2.0", StringComparison.Ordinal));
        Assert.Contains("beta 2.0", alphaBeta);
        Assert.Contains("alpha 1.0 vs gamma 1.0:", result.Output);
        Assert.Equal(3, result.Output.Split('\n').Count(l => l.Contains("• Overall, prefer", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Json_prints_the_gateway_answer()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync("compare", AgentA, AgentB, "--suite", Suite, "--json", "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(RefB, document.RootElement.GetProperty("overall_winner").GetString());
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("detailed_metrics")[2].GetProperty("percentage_difference").ValueKind);
    }

    [Theory]
    [InlineData("compare", AgentA, "--suite", Suite)]
    [InlineData("compare", AgentA, AgentB, "c3c3c3c3-0000-4000-8000-000000000003", "--suite", Suite)]
    [InlineData("compare", AgentA, AgentB)]
    public async Task A_bad_command_line_exits_3_without_calling_the_gateway(params string[] args)
    {
        await using var gateway = await FakeGateway.StartAsync(_ => { });

        var result = await CliHarness.RunAsync([.. args, "--gateway", gateway.Url]);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("benchmesh compare --help", result.Error);
        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public async Task An_agent_without_results_is_named_and_exits_3()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapPost("/benchmarks/compare", () => Results.Problem(
                title: "No results", detail: $"No scored executions on suite {Suite} for agent {AgentB} version 3.0.", statusCode: 404)));

        var result = await CliHarness.RunAsync("compare", AgentA, $"{AgentB}@3.0", "--suite", Suite, "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Error 404: No results", result.Error);
        Assert.Contains($"agent {AgentB} version 3.0", result.Error);
    }
}
