using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

public sealed class RunCommandTests
{
    /// <summary>A run that is queued, then running, then finishes with <paramref name="final"/>.</summary>
    private static Func<object> RunSequence(params object[] states)
    {
        var polls = 0;
        return () => states[Math.Min(Interlocked.Increment(ref polls) - 1, states.Length - 1)];
    }

    private static Task<FakeGateway> GatewayAsync(Func<object> runStates, object? regressions, int regressionsStatus = 200) =>
        FakeGateway.StartAsync(app =>
        {
            app.MapPost("/benchmarks/run", () => Results.Json(
                new { run_id = "run-42", status = "queued", status_url = "/benchmarks/runs/run-42" }, statusCode: 202));
            app.MapGet("/benchmarks/runs/{id}", (string id) => id == "run-42" ? Api.Json(runStates()) : Results.NotFound());
            app.MapGet("/benchmarks/agents/{agent}/regressions", (string agent) => regressionsStatus == 200
                ? Api.Json(regressions!)
                : Results.Problem(title: "No baseline", detail: $"agent {agent} has a single version", statusCode: regressionsStatus));
        });

    [Fact]
    public async Task Completed_run_prints_progress_and_report_and_exits_0()
    {
        await using var gateway = await GatewayAsync(
            RunSequence(
                Api.Run("run-42", "queued", 0, 2),
                Api.Run("run-42", "running", 1, 2),
                Api.Run("run-42", "completed", 2, 2, Api.Report())),
            Api.Regressions(hasRegressions: false));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--version", "1.1",
            "--suite", "suite-1", "--iterations", "3", "--warmup", "1", "--concurrency", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        // Without a terminal the progress degrades to one plain line per change.
        Assert.Contains("run run-42: queued, 0/2 benchmarks", result.Output);
        Assert.Contains("run run-42: running, 1/2 benchmarks", result.Output);
        Assert.Contains("run run-42: completed, 2/2 benchmarks", result.Output);
        // The report: one row per benchmark with scores, tokens, calls, cost, median latency.
        Assert.Contains("arithmetic", result.Output);
        Assert.Contains("summarize", result.Output);
        Assert.Contains("0.862", result.Output);
        Assert.Contains("1,234", result.Output);
        Assert.Contains("$0.001200", result.Output);
        Assert.Contains("92.4", result.Output);
        Assert.Contains("0.810", result.Output);
        Assert.Contains("No regressions.", result.Output);

        var post = Assert.Single(gateway.Requests, r => r.Method == "POST");
        using var body = JsonDocument.Parse(post.Body);
        Assert.Equal("agent-1", body.RootElement.GetProperty("agent_id").GetString());
        Assert.Equal("1.1", body.RootElement.GetProperty("agent_version").GetString());
        Assert.Equal("suite-1", body.RootElement.GetProperty("suite_id").GetString());
        Assert.True(body.RootElement.GetProperty("async_execution").GetBoolean());
        var configuration = body.RootElement.GetProperty("configuration");
        Assert.Equal(3, configuration.GetProperty("iterations").GetInt32());
        Assert.Equal(1, configuration.GetProperty("warmup_runs").GetInt32());
        Assert.Equal(2, configuration.GetProperty("concurrency").GetInt32());
        Assert.Contains(gateway.Requests, r => r.PathAndQuery == "/benchmarks/agents/agent-1/regressions");
    }

    [Fact]
    public async Task On_a_terminal_the_live_progress_display_is_drawn_and_the_report_follows()
    {
        await using var gateway = await GatewayAsync(
            RunSequence(
                Api.Run("run-42", "queued", 0, 2),
                Api.Run("run-42", "running", 1, 2),
                Api.Run("run-42", "completed", 2, 2, Api.Report())),
            Api.Regressions(hasRegressions: false));

        var result = await CliHarness.RunAsync(null, terminal: true, "run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\u001b[", result.Output, StringComparison.Ordinal); // drawn with ANSI, not plain lines
        Assert.Contains("run run-42: completed, 2/2 benchmarks", result.Output, StringComparison.Ordinal);
        Assert.Contains("0.862", result.Output, StringComparison.Ordinal);
        // The Runner's statuses are unchanged: a completed benchmark and run are green (Spectre's standard 32).
        Assert.Contains("\u001b[32mcompleted", result.Output.Split('\n').Single(l => l.Contains("Run overall", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("\u001b[32mcompleted", result.Output.Split('\n').First(l => l.Contains("arithmetic", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_run_exits_1_with_its_error()
    {
        await using var gateway = await GatewayAsync(
            RunSequence(
                Api.Run("run-42", "running", 0, 2),
                Api.Run("run-42", "failed", 2, 2, errorMessage: "agent endpoint returned 500 on every call")),
            Api.Regressions(hasRegressions: false));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("run run-42 failed: agent endpoint returned 500 on every call", result.Error);
        // A failed run is not checked for regressions.
        Assert.DoesNotContain(gateway.Requests, r => r.PathAndQuery.Contains("/regressions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_that_does_not_finish_within_the_timeout_exits_1()
    {
        await using var gateway = await GatewayAsync(RunSequence(Api.Run("run-42", "running", 1, 2)), Api.Regressions(false));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1", "--timeout", "1");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("did not finish within 1 s", result.Error);
        Assert.Contains("1/2 benchmarks", result.Error);
    }

    [Fact]
    public async Task Regressions_after_a_completed_run_exit_2_and_are_listed()
    {
        await using var gateway = await GatewayAsync(
            RunSequence(Api.Run("run-42", "completed", 2, 2, Api.Report())), Api.Regressions(hasRegressions: true));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("latency_ms", result.Output);
        Assert.Contains("207.0%", result.Output);
        Assert.Contains("critical", result.Output);
        Assert.Contains("block_release", result.Output);
        Assert.Contains("1 regression(s) in version 1.1 against 1.0", result.Error);
    }

    [Fact]
    public async Task No_fail_on_regression_reports_regressions_but_exits_0()
    {
        await using var gateway = await GatewayAsync(
            RunSequence(Api.Run("run-42", "completed", 2, 2, Api.Report())), Api.Regressions(hasRegressions: true));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1", "--no-fail-on-regression");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("207.0%", result.Output);
    }

    [Theory]
    [InlineData("pending", "1 with confirmation runs pending, 0 inconclusive after confirmation")]
    [InlineData("done", "0 with confirmation runs pending, 1 inconclusive after confirmation")]
    public async Task Cells_still_undecided_exit_6_and_are_named(string confirmation, string counts)
    {
        await using var gateway = await GatewayAsync(
            RunSequence(Api.Run("run-42", "completed", 2, 2, Api.Report())), Api.Regressions(hasRegressions: false, confirmation: confirmation));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains($"1 cell(s) of version 1.1 still undecided ({counts}): summarize cost_per_task_usd", result.Error);
    }

    [Fact]
    public async Task Regressions_win_over_undecided_cells_and_no_fail_on_regression_ignores_both()
    {
        await using (var gateway = await GatewayAsync(
            RunSequence(Api.Run("run-42", "completed", 2, 2, Api.Report())), Api.Regressions(hasRegressions: true, confirmation: "pending")))
        {
            var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");
            Assert.True(result.ExitCode == 2, result.ToString());
        }

        await using (var gateway = await GatewayAsync(
            RunSequence(Api.Run("run-42", "completed", 2, 2, Api.Report())), Api.Regressions(hasRegressions: false, confirmation: "pending")))
        {
            var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1", "--no-fail-on-regression");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("confirmation runs pending", result.Output);
        }
    }

    [Fact]
    public async Task Regressions_of_another_version_than_the_one_run_do_not_fail_it()
    {
        await using var gateway = await GatewayAsync(
            RunSequence(Api.Run("run-42", "completed", 2, 2, Api.Report())), Api.Regressions(hasRegressions: true, currentVersion: "2.0"));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--version", "1.1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("covers version 2.0, not the version run (1.1)", result.Output);
    }

    [Fact]
    public async Task Agent_without_a_baseline_completes_with_0()
    {
        await using var gateway = await GatewayAsync(
            RunSequence(Api.Run("run-42", "completed", 2, 2, Api.Report())), regressions: null, regressionsStatus: 404);

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("No regression check: agent agent-1 has a single version.", result.Output);
    }

    [Fact]
    public async Task Validation_problem_from_the_api_exits_3_and_prints_each_field_error()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapPost("/benchmarks/run", () => TypedResults.ValidationProblem(
                new Dictionary<string, string[]>
                {
                    ["configuration.iterations"] = ["must be between 1 and 100"],
                    ["suite_id"] = ["is required"],
                })));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1", "--iterations", "500");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Error 400: One or more validation errors occurred.", result.Error);
        Assert.Contains("configuration.iterations: must be between 1 and 100", result.Error);
        Assert.Contains("suite_id: is required", result.Error);
        Assert.DoesNotContain("   at ", result.All); // no stack trace
    }

    [Fact]
    public async Task Unknown_agent_exits_3_with_the_problem_title_and_detail()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapPost("/benchmarks/run", () => TypedResults.Problem(title: "Agent not found", detail: "No agent with id 'nope'.", statusCode: 404)));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "nope", "--suite", "suite-1");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Error 404: Agent not found", result.Error);
        Assert.Contains("No agent with id 'nope'.", result.Error);
    }

    [Fact]
    public async Task Unreachable_gateway_exits_4()
    {
        // A port that was free a moment ago and has nothing listening now.
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await CliHarness.RunAsync("run", "--gateway", $"http://127.0.0.1:{port}", "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains($"cannot reach the BenchMesh gateway at http://127.0.0.1:{port}/", result.Error);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public async Task Gateway_unavailable_answer_exits_4()
    {
        await using var gateway = await FakeGateway.StartAsync(app =>
            app.MapPost("/benchmarks/run", () => Results.StatusCode(502)));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("Error 502", result.Error);
    }

    [Fact]
    public async Task Missing_required_option_exits_3_without_calling_the_gateway()
    {
        await using var gateway = await FakeGateway.StartAsync(_ => { });

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--suite", "suite-1");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Option '--agent' is required.", result.Error);
        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public async Task Json_mode_prints_one_document_with_the_run_and_the_regressions()
    {
        await using var gateway = await GatewayAsync(
            RunSequence(Api.Run("run-42", "running", 1, 2), Api.Run("run-42", "completed", 2, 2, Api.Report())),
            Api.Regressions(hasRegressions: false));

        var result = await CliHarness.RunAsync("--json", "run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Output); // stdout is JSON only; progress went to stderr
        Assert.Equal("completed", document.RootElement.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(0.81, document.RootElement.GetProperty("run").GetProperty("report").GetProperty("overall_score").GetDouble());
        Assert.False(document.RootElement.GetProperty("regressions").GetProperty("has_regressions").GetBoolean());
        Assert.Contains("run run-42: running, 1/2 benchmarks", result.Error);
    }

    [Fact]
    public async Task Names_from_the_api_are_printed_literally_not_as_markup()
    {
        var report = new
        {
            overall_score = 0.5,
            benchmarks = new object[] { new { benchmark_id = "b", benchmark_name = "[red]tricky[/] [bold", status = "completed", overall_score = 0.5 } },
        };
        await using var gateway = await GatewayAsync(RunSequence(Api.Run("run-42", "completed", 1, 1, report)), Api.Regressions(false));

        var result = await CliHarness.RunAsync("run", "--gateway", gateway.Url, "--agent", "agent-1", "--suite", "suite-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[red]tricky[/] [bold", result.Output);
    }
}
