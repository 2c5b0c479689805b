using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

/// <summary><c>benchmesh runs list</c> and the paging options of <c>benchmesh results</c>, against a stand-in gateway.</summary>
public sealed class RunListCommandTests
{
    private static object Summary(string runId, string name, string status, int completed, int failed, double? overall) => new
    {
        run_id = runId,
        agent_id = $"id-{name}",
        agent_name = name,
        agent_version = "1.2",
        suite_id = "suite-1",
        status,
        progress = new { total_benchmarks = 3, completed_benchmarks = completed, failed_benchmarks = failed },
        overall_score = overall,
        created_at = "2026-12-01T08:00:00Z",
        started_at = (string?)null,
        completed_at = (string?)null,
        status_url = $"/benchmarks/runs/{runId}",
    };

    // Two pages: the first names the second with its cursor, the second is the last.
    private static Task<FakeGateway> RunsGatewayAsync() => FakeGateway.StartAsync(app =>
        app.MapGet("/benchmarks/runs", (HttpRequest request) => request.Query["cursor"].ToString() == "page-2"
            ? Api.Json(new { runs = new[] { Summary("run-3", "gamma-bot", "queued", 0, 0, null) }, next_cursor = (string?)null })
            : Api.Json(new
            {
                runs = new[] { Summary("run-1", "alpha-bot", "failed", 3, 1, 0.61), Summary("run-2", "beta-bot", "completed", 3, 0, 0.875) },
                next_cursor = "page-2",
            })));

    [Fact]
    public async Task Runs_list_shows_a_page_of_runs_and_the_cursor_of_the_next()
    {
        await using var gateway = await RunsGatewayAsync();

        var result = await CliHarness.RunAsync(
            "runs", "list", "--gateway", gateway.Url, "--agent", "a-1", "--suite", "s-1", "--status", "failed",
            "--since", "2026-12-01", "--until", "2026-12-02T08:00:00+02:00", "--limit", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        var alpha = result.Output.Split('\n').Single(l => l.Contains("alpha-bot", StringComparison.Ordinal));
        Assert.Contains("run-1", alpha);
        Assert.Contains("3/3", alpha);
        Assert.Contains("0.610", alpha);
        Assert.Contains("2026-12-01 08:00:00Z", alpha);
        Assert.Contains("0.875", result.Output);
        Assert.Contains("More runs: add --cursor page-2", result.Output);
        Assert.Contains(gateway.Requests, r => r.PathAndQuery ==
            "/benchmarks/runs?agent_id=a-1&suite_id=s-1&status=failed&since=2026-12-01&until=2026-12-02T08%3A00%3A00%2B02%3A00&limit=2");
    }

    [Fact]
    public async Task Runs_list_with_the_cursor_shows_the_last_page_without_another_cursor()
    {
        await using var gateway = await RunsGatewayAsync();

        var result = await CliHarness.RunAsync("runs", "list", "--gateway", gateway.Url, "--cursor", "page-2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("gamma-bot", result.Output);
        Assert.DoesNotContain("alpha-bot", result.Output);
        Assert.DoesNotContain("More runs", result.Output);
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/benchmarks/runs?cursor=page-2");
    }

    [Fact]
    public async Task Runs_list_json_prints_the_gateway_answer()
    {
        await using var gateway = await RunsGatewayAsync();

        var result = await CliHarness.RunAsync("runs", "list", "--gateway", gateway.Url, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        Assert.Equal(2, document.RootElement.GetProperty("runs").GetArrayLength());
        Assert.Equal("page-2", document.RootElement.GetProperty("next_cursor").GetString());
    }

    [Fact]
    public async Task An_unknown_status_is_a_usage_error_and_sends_nothing()
    {
        await using var gateway = await RunsGatewayAsync();

        var result = await CliHarness.RunAsync("runs", "list", "--gateway", gateway.Url, "--status", "done");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public async Task Results_passes_limit_and_cursor_and_prints_the_next_cursor()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapGet("/benchmarks/agents/{agent}/results", (string agent) => Api.Json(new
            {
                agent_id = agent,
                timeframe = "all",
                results = new[]
                {
                    new
                    {
                        execution_id = "e-7", run_id = "r-1", agent_id = agent, agent_version = "1.1", suite_id = "s-1",
                        benchmark_id = "b-1", benchmark_name = "arithmetic", overall_score = 0.83, status = "success",
                        metrics = new { }, created_at = "2025-02-03T04:05:06Z",
                    },
                },
                next_cursor = "next-results",
            })));

        var result = await CliHarness.RunAsync(
            "results", "--gateway", gateway.Url, "--agent", "agent-1", "--timeframe", "all", "--limit", "1", "--cursor", "this-page");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("arithmetic", result.Output);
        Assert.Contains("More executions: add --cursor next-results", result.Output);
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/benchmarks/agents/agent-1/results?timeframe=all&limit=1&cursor=this-page");
    }
}
