using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

public sealed class CostCommandTests
{
    /// <summary>The docs/api.md shape of a cost analysis: two configurations, one benchmark that never succeeded.</summary>
    private static object Analysis(string agent, long monthlyTasks) => new
    {
        agent_id = agent,
        agent_name = "support-bot",
        suite_id = "s-1",
        monthly_tasks = monthlyTasks,
        window = "latest_successful",
        current_configuration = new { configuration_id = "c-20", agent_version = "2.0", model_configuration = new { model = "gpt-big" } },
        cost_per_task = new object[]
        {
            new
            {
                suite_id = "s-1", benchmark_id = "b-1", benchmark_name = "arithmetic", execution_id = "e-1", status = "success",
                executed_at = "2026-11-20T09:00:00Z", cost_usd = 0.5m, successful_tasks = 10, failed_tasks = 0, value = 0.05m, reason = (string?)null,
            },
            new
            {
                suite_id = "s-1", benchmark_id = "b-2", benchmark_name = "translate", execution_id = "e-2", status = "failed",
                executed_at = "2026-11-20T09:00:00Z", cost_usd = 0.03m, successful_tasks = 0, failed_tasks = 6, value = (decimal?)null,
                reason = (string?)"No task succeeded: the latest execution failed; 0 of 6 tasks succeeded for $0.03.",
            },
        },
        performance_per_dollar = new object[]
        {
            new { suite_id = "s-1", benchmark_id = "b-1", benchmark_name = "arithmetic", execution_id = "e-1", accuracy_score = 0.9, speed_score = 0.5, performance_score = 0.45, cost_usd = 0.5m, value = (double?)0.9, reason = (string?)null },
        },
        configurations = new object[]
        {
            new
            {
                configuration_id = "c-11", agent_version = "1.1", model_configuration = new { model = "gpt-small" }, is_current = false, comparable = true,
                benchmarks = 1, cost_per_task_usd = 0.015m, performance = 0.44, accuracy_score = 0.88, speed_score = 0.5, on_frontier = true,
                efficiency_score = 1.0, performance_efficiency = 1.0, cost_efficiency = 1.0, estimated_savings = 350m, latest_execution_at = "2026-11-20T09:00:00Z",
            },
            new
            {
                configuration_id = "c-20", agent_version = "2.0", model_configuration = new { model = "gpt-big" }, is_current = true, comparable = true,
                benchmarks = 1, cost_per_task_usd = 0.05m, performance = 0.45, accuracy_score = 0.9, speed_score = 0.5, on_frontier = true,
                efficiency_score = 1.0, performance_efficiency = 1.0, cost_efficiency = 1.0, estimated_savings = 0m, latest_execution_at = "2026-11-20T09:00:00Z",
            },
        },
        optimal_configurations = new object[]
        {
            new { configuration = new { configuration_id = "c-11", agent_version = "1.1", model_configuration = new { model = "gpt-small" } }, efficiency_score = 1.0, estimated_savings = 350m, cost_per_task_usd = 0.015m, performance = 0.44, is_current = false },
            new { configuration = new { configuration_id = "c-20", agent_version = "2.0", model_configuration = new { model = "gpt-big" } }, efficiency_score = 1.0, estimated_savings = 0m, cost_per_task_usd = 0.05m, performance = 0.45, is_current = true },
        },
        cost_optimization_opportunities = new object[]
        {
            new { kind = "cheaper_configuration", description = "Version 1.1 (gpt-small) reaches 98 % of 2.0 (gpt-big)'s performance at 30 % of its cost per task ($0.015 vs $0.05): about $350 a month saved at 10,000 tasks.", monthly_savings_usd = (decimal?)350m },
        },
    };

    private static Task<FakeGateway> CostGatewayAsync() => FakeGateway.StartAsync(app =>
        app.MapGet("/benchmarks/agents/{agent}/cost-analysis", (string agent, long? monthly_tasks) => Api.Json(Analysis(agent, monthly_tasks ?? 10_000))));

    [Fact]
    public async Task Cost_prints_the_benchmarks_the_configurations_and_the_opportunities_and_passes_the_options()
    {
        await using var gateway = await CostGatewayAsync();

        var result = await CliHarness.RunAsync("cost", "agent-1", "--gateway", gateway.Url, "--suite", "s-1", "--monthly-tasks", "20000");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/benchmarks/agents/agent-1/cost-analysis?suite_id=s-1&monthly_tasks=20000");
        Assert.Contains("support-bot (agent-1)", result.Output);
        Assert.Contains("20,000 tasks a month", result.Output);
        var arithmetic = result.Output.Split('\n').Single(l => l.Contains("arithmetic", StringComparison.Ordinal));
        Assert.Contains("0.05", arithmetic);
        Assert.Contains("0.450", arithmetic);
        Assert.Contains("No task succeeded", result.Output.Split('\n').Single(l => l.Contains("translate", StringComparison.Ordinal)));
        var small = result.Output.Split('\n').Single(l => l.Contains("1.1 (gpt-small)", StringComparison.Ordinal) && l.Contains('│'));
        Assert.Contains("0.015", small);
        Assert.Contains("350.00", small);
        Assert.Contains("on", small);
        Assert.Contains("2.0 (gpt-big) (current)", result.Output);
        Assert.Contains("1.1 (gpt-small): efficiency 1.000, saves $350.00 a month", result.Output);
        Assert.Contains("• Version 1.1 (gpt-small) reaches 98 % of 2.0 (gpt-big)'s performance", result.Output);
    }

    [Fact]
    public async Task Cost_json_prints_the_gateway_answer()
    {
        await using var gateway = await CostGatewayAsync();

        var result = await CliHarness.RunAsync("cost", "agent-1", "--gateway", gateway.Url, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(10_000, document.RootElement.GetProperty("monthly_tasks").GetInt64());
        Assert.Equal("1.1", document.RootElement.GetProperty("optimal_configurations")[0].GetProperty("configuration").GetProperty("agent_version").GetString());
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/benchmarks/agents/agent-1/cost-analysis");
    }

    [Fact]
    public async Task An_unknown_agent_exits_3_with_the_problem()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapGet("/benchmarks/agents/{agent}/cost-analysis", (string agent) =>
                TypedResults.Problem(title: "Agent not found.", detail: $"No agent has the id {agent}.", statusCode: 404)));

        var result = await CliHarness.RunAsync("cost", "nope", "--gateway", gateway.Url);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Error 404: Agent not found.", result.Error);
        Assert.Contains("No agent has the id nope.", result.Error);
    }

    [Theory]
    [InlineData("--monthly-tasks", "0", "--monthly-tasks must be at least 1.")]
    [InlineData("--monthly-tasks", "many", "many")]
    public async Task A_bad_monthly_volume_exits_3_without_calling_the_gateway(string option, string value, string message)
    {
        await using var gateway = await FakeGateway.StartAsync(_ => { });

        var result = await CliHarness.RunAsync("cost", "agent-1", "--gateway", gateway.Url, option, value);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains(message, result.Error);
        Assert.Contains("benchmesh cost --help", result.Error);
        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public async Task Without_an_agent_it_exits_3()
    {
        var result = await CliHarness.RunAsync("cost");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Required argument 'AGENT_ID' missing", result.Error);
    }
}
