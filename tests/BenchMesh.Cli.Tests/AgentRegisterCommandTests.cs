using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

public sealed class AgentRegisterCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("benchmesh-agent-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly object Created = new
    {
        agent_id = "0199a5d2-0000-7000-8000-000000000001",
        name = "support-bot",
        workspace_id = "team-a",
        protocol = "openai-chat",
        endpoint = "http://127.0.0.1:5161/openai/baseline",
        has_api_key = true,
        pricing = new { input_per_million_usd = 0.5, output_per_million_usd = 1.5, per_call_usd = 0 },
        versions = new[] { new { version = "1.0", model_configuration = new { model = "gpt-x" }, created_at = "2025-01-01T00:00:00Z" } },
        created_at = "2025-01-01T00:00:00Z",
    };

    private static Task<FakeGateway> GatewayAsync() => FakeGateway.StartAsync(app =>
        app.MapPost("/agents", () => Results.Json(Created, new JsonSerializerOptions(), statusCode: StatusCodes.Status201Created)));

    private static void AssertSentJson(FakeGateway gateway, string expected)
    {
        var request = Assert.Single(gateway.Requests);
        Assert.Equal(("POST", "/agents"), (request.Method, request.PathAndQuery));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(request.Body)), request.Body);
    }

    [Fact]
    public async Task Flags_become_the_registration_and_the_key_comes_from_the_environment()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync(new Dictionary<string, string> { ["SUPPORT_BOT_KEY"] = "sk-secret" },
            "agent", "register", "--gateway", gateway.Url, "--name", "support-bot", "--workspace", "team-a", "--protocol", "openai-chat",
            "--endpoint", "http://127.0.0.1:5161/openai/baseline", "--api-key-env", "SUPPORT_BOT_KEY",
            "--input-price", "0.5", "--output-price", "1.5", "--call-price", "0",
            "--version", "1.0", "--model-config", """{"model": "gpt-x", "temperature": 0}""");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertSentJson(gateway, """
            {"name": "support-bot", "workspace_id": "team-a", "protocol": "openai-chat",
             "endpoint": "http://127.0.0.1:5161/openai/baseline",
             "pricing": {"input_per_million_usd": 0.5, "output_per_million_usd": 1.5, "per_call_usd": 0},
             "versions": [{"version": "1.0", "model_configuration": {"model": "gpt-x", "temperature": 0}}],
             "api_key": "sk-secret"}
            """);
        Assert.Contains("Registered agent support-bot (openai-chat) in workspace team-a", result.Output);
        Assert.Contains("agent_id: 0199a5d2-0000-7000-8000-000000000001", result.Output);
        Assert.Contains("versions: 1.0", result.Output);
        Assert.DoesNotContain("sk-secret", result.All);
    }

    [Fact]
    public async Task A_yaml_file_is_sent_as_json_with_the_key_from_standard_input()
    {
        await using var gateway = await GatewayAsync();
        var file = Path.Combine(_directory, "agent.yaml");
        File.WriteAllText(file, """
            name: support-bot
            workspace_id: team-a
            protocol: openai-chat
            endpoint: http://127.0.0.1:5161/openai/baseline
            pricing: { input_per_million_usd: 0.5, output_per_million_usd: 1.5 }
            versions:
              - version: "1.0"
                model_configuration:
                  model: gpt-x
                  temperature: 0.2
                  stop: ["\n\n"]
            """);

        var result = await CliHarness.RunWithInputAsync("sk-from-stdin\n", "agent", "register", "--gateway", gateway.Url, "--file", file, "--api-key-stdin", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertSentJson(gateway, """
            {"name": "support-bot", "workspace_id": "team-a", "protocol": "openai-chat",
             "endpoint": "http://127.0.0.1:5161/openai/baseline",
             "pricing": {"input_per_million_usd": 0.5, "output_per_million_usd": 1.5},
             "versions": [{"version": "1.0", "model_configuration": {"model": "gpt-x", "temperature": 0.2, "stop": ["\n\n"]}}],
             "api_key": "sk-from-stdin"}
            """);
        Assert.Equal("0199a5d2-0000-7000-8000-000000000001", JsonNode.Parse(result.Output)!["agent_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_process_agent_takes_its_command_as_a_json_array()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync("agent", "register", "--gateway", gateway.Url, "--name", "calc", "--workspace", "team-a",
            "--protocol", "process", "--command", """["python3", "adapter.py", "--mode", "bc"]""", "--process-mode", "json_lines");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertSentJson(gateway, """
            {"name": "calc", "workspace_id": "team-a", "protocol": "process",
             "command": ["python3", "adapter.py", "--mode", "bc"], "process_mode": "json_lines"}
            """);
    }

    [Fact]
    public async Task Api_problem_details_are_printed_field_by_field()
    {
        await using var gateway = await FakeGateway.StartAsync(app => app.MapPost("/agents", () => Results.ValidationProblem(
            new Dictionary<string, string[]> { ["endpoint"] = ["must be an absolute http(s) URL."], ["versions[0].version"] = ["is required."] })));

        var result = await CliHarness.RunAsync("agent", "register", "--gateway", gateway.Url, "--name", "x", "--workspace", "w",
            "--protocol", "http-json", "--endpoint", "not-a-url");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Error 400: One or more validation errors occurred.", result.Error);
        Assert.Contains("  endpoint: must be an absolute http(s) URL.", result.Error);
        Assert.Contains("  versions[0].version: is required.", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task A_server_error_exits_1()
    {
        await using var gateway = await FakeGateway.StartAsync(app => app.MapPost("/agents", () => Results.Problem(title: "database unavailable", statusCode: 500)));

        var result = await CliHarness.RunAsync("agent", "register", "--gateway", gateway.Url, "--name", "x", "--workspace", "w",
            "--protocol", "http-json", "--endpoint", "http://127.0.0.1:1/");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error 500: database unavailable", result.Error);
    }

    [Fact]
    public async Task Without_workspace_the_registration_names_none_and_the_api_key_s_workspace_applies()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync("agent", "register", "--gateway", gateway.Url, "--name", "x", "--protocol", "http-json", "--endpoint", "http://a/");

        Assert.True(result.ExitCode == 0, result.ToString());
        AssertSentJson(gateway, """{"name": "x", "protocol": "http-json", "endpoint": "http://a/"}""");
    }

    [Theory]
    [InlineData(new[] { "--name", "x", "--workspace", "w", "--protocol", "http-json", "--endpoint", "http://a/", "--api-key-env", "NOT_SET" }, "the environment variable NOT_SET (--api-key-env) is not set")]
    [InlineData(new[] { "--file", "agent.json", "--name", "x" }, "--file cannot be combined with --name")]
    [InlineData(new[] { "--workspace", "w", "--protocol", "http-json", "--endpoint", "http://a/" }, "--name is required (or give --file).")]
    [InlineData(new[] { "--name", "x", "--workspace", "w", "--protocol", "http-json" }, "--endpoint (or --command, for a process agent) is required")]
    [InlineData(new[] { "--name", "x", "--workspace", "w", "--protocol", "http-json", "--endpoint", "http://a/", "--model-config", "{}" }, "--model-config belongs to a version: give --version too.")]
    [InlineData(new[] { "--name", "x", "--workspace", "w", "--protocol", "http-json", "--endpoint", "http://a/", "--version", "1", "--model-config", "[1]" }, "--model-config must be a JSON object")]
    [InlineData(new[] { "--name", "x", "--workspace", "w", "--protocol", "http-json", "--endpoint", "http://a/", "--input-price", "-1" }, "--input-price must not be negative.")]
    [InlineData(new[] { "--file", "missing.yaml" }, "missing.yaml: Could not find file")]
    public async Task A_bad_command_line_is_refused_before_anything_is_sent(string[] arguments, string expected)
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync(["agent", "register", "--gateway", gateway.Url, .. arguments.Select(a => a.EndsWith(".yaml", StringComparison.Ordinal) ? Path.Combine(_directory, a) : a)]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public async Task Schedule_monthly_creates_the_suggested_schedule_for_the_suite()
    {
        const string suiteId = "0199a5d2-0000-7000-8000-0000000000aa";
        await using var gateway = await FakeGateway.StartAsync(app =>
        {
            var created = JsonSerializer.SerializeToNode(Created)!.AsObject();
            created["suggested_schedule"] = JsonNode.Parse("""
                {"cron_expression": "17 3 1,15 * *", "time_zone": "UTC", "method": "POST", "endpoint": "/benchmarks/schedules"}
                """);
            app.MapPost("/agents", () => Results.Json(created, new JsonSerializerOptions(), statusCode: StatusCodes.Status201Created));
            app.MapPost("/benchmarks/schedules", () => Results.Json(new
            {
                schedule_id = "0199a5d2-0000-7000-8000-0000000000bb",
                cron_expression = "0 17 3 1,15 * ?",
                time_zone = "UTC",
                next_fire_time = "2026-12-15T03:17:00+00:00",
            }, new JsonSerializerOptions(), statusCode: StatusCodes.Status201Created));
        });

        var result = await CliHarness.RunAsync(new Dictionary<string, string>(),
            "agent", "register", "--gateway", gateway.Url, "--name", "support-bot", "--workspace", "team-a", "--protocol", "openai-chat",
            "--endpoint", "http://127.0.0.1:5161/openai/baseline", "--version", "1.0", "--schedule-monthly", "--suite", suiteId);

        Assert.True(result.ExitCode == 0, result.ToString());
        var requests = gateway.Requests.ToList();
        Assert.Equal(["/agents", "/benchmarks/schedules"], requests.Select(r => r.PathAndQuery));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"agent_id": "0199a5d2-0000-7000-8000-000000000001", "suite_id": "{{suiteId}}", "cron_expression": "17 3 1,15 * *", "time_zone": "UTC"}
            """), JsonNode.Parse(requests[1].Body)), requests[1].Body);
        Assert.Contains("Scheduled runs: 0 17 3 1,15 * ? (UTC)", result.Output);
        Assert.Contains("schedule_id: 0199a5d2-0000-7000-8000-0000000000bb", result.Output);
    }

    [Theory]
    [InlineData("--schedule-monthly")]
    [InlineData("--suite", "0199a5d2-0000-7000-8000-0000000000aa")]
    public async Task Schedule_monthly_and_suite_go_together(params string[] flags)
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync(new Dictionary<string, string>(), [
            "agent", "register", "--gateway", gateway.Url, "--name", "support-bot", "--workspace", "team-a", "--protocol", "openai-chat",
            "--endpoint", "http://127.0.0.1:5161/openai/baseline", "--version", "1.0", .. flags]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("--schedule-monthly and --suite go together", result.Error);
        Assert.Empty(gateway.Requests);
    }
}
