using System.Text.Json.Nodes;
using Spectre.Console;

namespace BenchMesh.Cli.Commands;

/// <summary>
/// benchmesh demo (what ./run.sh shows): registers two sample agents — one with a good version 1.0 and a
/// slower, less accurate 1.1 — and a sample suite, runs the suite for each, puts a few seconds of load on the chat
/// agent 1.0 through the Stress service (so a stress run has results to show), and prints the leaderboard and
/// the regression found. Re-running it reuses what an earlier run registered. Everything goes to the workspace of the
/// API key it runs with (./run.sh: the operator key, workspace default).
/// </summary>
internal static class DemoCommand
{
    private const string ChatAgentName = "sample-chat-agent";
    private const string JsonAgentName = "sample-json-agent";
    private const string SuiteName = "BenchMesh sample suite";
    private const string StressScenario = "high_load";
    private const int StressRate = 20;
    private const int StressSeconds = 3;

    public static async Task<int> ExecuteAsync(CommandContext context, string sampleAgentsUrl, CancellationToken ct)
    {
        var agents = sampleAgentsUrl.TrimEnd('/');
        var console = context.Out;

        var chatAgent = await EnsureAgentAsync(context, ChatAgentName, new
        {
            name = ChatAgentName,
            protocol = "openai-chat",
            endpoint = $"{agents}/openai/baseline",
            description = "Sample OpenAI-compatible agent; 1.1 is slower and less accurate than 1.0",
            pricing = new { input_per_million_usd = 0.5, output_per_million_usd = 1.5, per_call_usd = 0.0 },
            versions = new object[]
            {
                new { version = "1.0", model_configuration = new { model = "sample-baseline", temperature = 0 } },
                new { version = "1.1", model_configuration = new { model = "sample-degraded", temperature = 0 }, endpoint = $"{agents}/openai/degraded" },
            },
        }, ct);
        var jsonAgent = await EnsureAgentAsync(context, JsonAgentName, new
        {
            name = JsonAgentName,
            protocol = "http-json",
            endpoint = $"{agents}/http-json/fast",
            description = "Sample HTTP JSON agent: fast, a little less accurate",
            pricing = new { input_per_million_usd = 0.2, output_per_million_usd = 0.6, per_call_usd = 0.0001 },
            versions = new object[] { new { version = "1.0", model_configuration = new { model = "sample-fast" } } },
        }, ct);
        var suiteId = await EnsureSuiteAsync(context, ct);
        console.MarkupLine($"[bold]Registered[/] {ChatAgentName} ({chatAgent}), {JsonAgentName} ({jsonAgent}), suite {suiteId}");

        foreach (var (agentId, version) in new[] { (chatAgent, "1.0"), (jsonAgent, "1.0"), (chatAgent, "1.1") })
        {
            console.WriteLine();
            console.MarkupLine($"[bold]Running the suite for {(agentId == chatAgent ? ChatAgentName : JsonAgentName)} {version}[/]");
            var code = await RunCommand.ExecuteAsync(context, new RunArguments(agentId, version, suiteId, Iterations: 5, Warmup: 1, Concurrency: 2, TimeoutSeconds: 300, FailOnRegression: false), ct);
            if (code is not (ExitCodes.Success or ExitCodes.Regressions))
            {
                return code;
            }
        }

        console.WriteLine();
        console.MarkupLine($"[bold]Stress test of {ChatAgentName} 1.0[/] ({StressScenario}, {StressRate} req/s for {StressSeconds} s)");
        await StressAsync(context, chatAgent, ct);

        console.WriteLine();
        console.MarkupLine("[bold]Leaderboard[/]");
        await QueryCommands.LeaderboardAsync(context, "overall", "overall", 10, ct, groupBy: "version");
        console.WriteLine();
        console.MarkupLine($"[bold]Regressions of {ChatAgentName} 1.1 against 1.0[/]");
        await QueryCommands.RegressionsAsync(context, chatAgent, "1.0", null, ct);
        return ExitCodes.Success;
    }

    /// <summary>
    /// A few seconds of load on the sample agent through the Stress service, so that a stress run's results can be seen
    /// (the dashboard's stress view). Kept short and gentle: the demo runs on the machine it measures.
    /// </summary>
    private static async Task StressAsync(CommandContext context, string agentId, CancellationToken ct)
    {
        var accepted = await context.Gateway.PostJsonAsync("stress/runs", new
        {
            agent_id = agentId,
            agent_version = "1.0",
            scenario = StressScenario,
            parameters = new { rate = StressRate, duration_s = StressSeconds, connections = 4 },
        }, ct);
        var runId = accepted["stress_run_id"]!.GetValue<string>();
        var run = accepted;
        // The run's own plan (3 s) plus its start and the engine's graceful stop; a run still going after a minute is
        // left running and reported as such rather than holding the demo up.
        for (var wait = 0; wait < 120 && run["status"]?.GetValue<string>() == "running"; wait++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            run = await context.Gateway.GetJsonAsync($"stress/runs/{runId}", ct);
        }

        var status = run["status"]?.GetValue<string>();
        var phase = run["result"]?["phases"]?.AsArray().FirstOrDefault()?["result"];
        if (status != "completed" || phase is null)
        {
            context.Out.MarkupLine($"stress run {runId}: {Markup.Escape(status ?? "?")} {Markup.Escape(run["error"]?.ToString() ?? "")}");
            return;
        }

        context.Out.MarkupLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"stress run {runId}: {phase["requests"]} requests at {phase["achieved_rps"]?.GetValue<double>():0.#} req/s, " +
            $"p99 {phase["latency_ms"]?["p99"]?.GetValue<double>():0.##} ms, error rate {phase["error_rate"]?.GetValue<double>():0.##%}, " +
            $"resilience score {run["result"]?["resilience_score"]}"));
    }

    private static async Task<string> EnsureAgentAsync(CommandContext context, string name, object registration, CancellationToken ct)
    {
        var existing = await context.Gateway.GetJsonAsync("agents", ct);
        var match = existing["agents"]?.AsArray().FirstOrDefault(a => a?["name"]?.GetValue<string>() == name);
        if (match is not null)
        {
            return match["agent_id"]!.GetValue<string>();
        }

        var created = await context.Gateway.PostJsonAsync("agents", registration, ct);
        return created["agent_id"]!.GetValue<string>();
    }

    private static async Task<string> EnsureSuiteAsync(CommandContext context, CancellationToken ct)
    {
        var existing = await context.Gateway.GetJsonAsync("suites", ct);
        var match = existing["suites"]?.AsArray().FirstOrDefault(s => s?["name"]?.GetValue<string>() == SuiteName);
        if (match is not null)
        {
            return match["suite_id"]!.GetValue<string>();
        }

        var arithmetic = new[] { (17, '+', 25), (9, '*', 8), (144, '/', 12), (1000, '-', 1), (3.5, '*', 4), (81, '/', 9), (250, '+', 750), (12, '*', 12) }
            .Select((q, i) => new
            {
                id = $"math-{i + 1}",
                input = $"What is {q.Item1} {q.Item2} {q.Item3}?",
                expected = Solve(q.Item1, q.Item2, q.Item3),
            });
        var words = new[] { "benchmark", "latency", "rabbit", "gateway", "postgres", "aspire", "token", "regression" };
        var text = words.Select((w, i) => new { id = $"text-{i + 1}", input = $"Uppercase: {w}", expected = w.ToUpperInvariant() })
            .Concat(words.Select((w, i) => new { id = $"reverse-{i + 1}", input = $"Reverse: {w}", expected = new string(w.Reverse().ToArray()) }));
        var created = await context.Gateway.PostJsonAsync("suites", new
        {
            suite_name = SuiteName,
            description = "Arithmetic and text transformations with known answers",
            category = "accuracy",
            version = "1",
            benchmarks = new object[]
            {
                new
                {
                    name = "arithmetic", description = "Four operations on small numbers", category = "math",
                    scoring_rubric = new { type = "numeric_tolerance", tolerance = 0.001 },
                    constraints = new { timeout_seconds = 10, target_latency_ms = 100, target_tokens = 50, target_cost_usd = 0.0001 },
                    dataset = new { name = "arithmetic-8", items = arithmetic },
                },
                new
                {
                    name = "text-transform", description = "Uppercase and reverse words", category = "language",
                    scoring_rubric = new { type = "exact_match", case_sensitive = true },
                    constraints = new { timeout_seconds = 10, target_latency_ms = 100, target_tokens = 50, target_cost_usd = 0.0001 },
                    dataset = new { name = "text-16", items = text },
                },
            },
        }, ct);
        return created["suite_id"]!.GetValue<string>();
    }

    private static string Solve(double a, char op, double b) => (op switch
    {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        _ => a / b,
    }).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
