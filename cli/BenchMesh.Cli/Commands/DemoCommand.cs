using System.Text.Json.Nodes;
using Spectre.Console;

namespace BenchMesh.Cli.Commands;

/// <summary>
/// benchmesh demo (what ./run.sh shows): registers two sample agents — one with a good version 1.0 and a
/// slower, less accurate 1.1 — and a sample suite, runs the suite for each, and prints the leaderboard and
/// the regression found. Re-running it reuses what an earlier run registered. Everything goes to the workspace of the
/// API key it runs with (./run.sh: the operator key, workspace default).
/// </summary>
internal static class DemoCommand
{
    private const string ChatAgentName = "sample-chat-agent";
    private const string JsonAgentName = "sample-json-agent";
    private const string SuiteName = "BenchMesh sample suite";

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
        console.MarkupLine("[bold]Leaderboard[/]");
        await QueryCommands.LeaderboardAsync(context, "overall", "overall", 10, ct, groupBy: "version");
        console.WriteLine();
        console.MarkupLine($"[bold]Regressions of {ChatAgentName} 1.1 against 1.0[/]");
        await QueryCommands.RegressionsAsync(context, chatAgent, "1.0", null, ct);
        return ExitCodes.Success;
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
