using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Datasets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

public sealed class SuiteCreateCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("benchmesh-suite-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private const string SuiteYaml = """
        # The specification's shape (§1.1); the CLI sends it as written.
        suite_name: qa-basics
        category: accuracy
        version: "1.0"
        benchmarks:
          - name: smoke
            test_type: synthetic
            scoring_rubric: { type: exact_match }
            dataset:
              items:
                - { id: s1, input: "ping", expected: "pong" }
          - name: arithmetic
            test_type: synthetic
            metrics_measured: [accuracy, latency]
            scoring_rubric: { type: exact_match }
            constraints: { time_limit_ms: 5000, token_limit: 512 }
            dataset: { complexity: low, data_source: hand-written }
        """;

    /// <summary>
    /// The content hashes of the items below, computed apart with Python as docs/api.md says:
    /// <c>hashlib.sha256(json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()</c>.
    /// </summary>
    private const string SmokeHash = "a87a15191d41ab546d8cfaff3a2652cf0f78f15207d2004627ec46a953958400";

    private const string ArithmeticHash = "9607c625871d67940dd80e140bc5dca1e2b69ec8116c7a70156ade7d36f2bb2d";

    private static readonly object Created = new
    {
        suite_id = "0199a5d2-0000-7000-8000-0000000000aa",
        suite_name = "qa-basics",
        benchmarks = new object[]
        {
            new { benchmark_id = "0199a5d2-0000-7000-8000-0000000000b1", name = "smoke", dataset = new { item_count = 1, content_hash = SmokeHash } },
            new { benchmark_id = "0199a5d2-0000-7000-8000-0000000000b2", name = "arithmetic", dataset = new { item_count = 3, content_hash = ArithmeticHash } },
        },
        created_at = "2025-01-01T00:00:00Z",
    };

    private static Task<FakeGateway> GatewayAsync() => FakeGateway.StartAsync(app =>
        app.MapPost("/suites", () => Results.Json(Created, new JsonSerializerOptions(), statusCode: StatusCodes.Status201Created)));

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static JsonNode Sent(FakeGateway gateway)
    {
        var request = Assert.Single(gateway.Requests);
        Assert.Equal(("POST", "/suites"), (request.Method, request.PathAndQuery));
        return JsonNode.Parse(request.Body)!;
    }

    /// <summary>The suite file as JSON, with the arithmetic benchmark's items as the data files give them.</summary>
    private static readonly string ExpectedSuite = """
        {"suite_name": "qa-basics", "category": "accuracy", "version": "1.0", "benchmarks": [
          {"name": "smoke", "test_type": "synthetic", "scoring_rubric": {"type": "exact_match"},
           "dataset": {"items": [{"id": "s1", "input": "ping", "expected": "pong"}]}},
          {"name": "arithmetic", "test_type": "synthetic", "metrics_measured": ["accuracy", "latency"],
           "scoring_rubric": {"type": "exact_match"}, "constraints": {"time_limit_ms": 5000, "token_limit": 512},
           "dataset": {"complexity": "low", "data_source": "hand-written", "items": [
             {"id": "a1", "input": "What is 2 + 3?", "expected": "5"},
             {"id": "a2", "input": "What is 10 / 4?", "expected": "2.5", "accepted_outputs": ["2.5", "5/2"]},
             {"id": "a3", "input": "Write \"7\", then a comma, then 8:\n", "expected": "7,8"}]}}]}
        """;

    [Fact]
    public async Task A_yaml_suite_gets_csv_items_in_the_named_benchmark()
    {
        await using var gateway = await GatewayAsync();
        var suite = Write("suite.yaml", SuiteYaml);
        var items = Write("items.csv",
            "qid,question,answer,also\r\n" +
            "a1,What is 2 + 3?,5,\r\n" +
            "a2,What is 10 / 4?,2.5,\"[\"\"5/2\"\"]\"\r\n" +
            "a3,\"Write \"\"7\"\", then a comma, then 8:\n\",\"7,8\",\r\n");

        var result = await CliHarness.RunAsync("suite", "create", "--gateway", gateway.Url, "--file", suite, "--dataset", items,
            "--map", "id=qid,input=question,expected=answer,accepted_outputs=also", "--benchmark", "arithmetic");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ExpectedSuite), Sent(gateway)), gateway.Requests.Single().Body);
        Assert.Contains("Created suite qa-basics", result.Output);
        Assert.Contains("suite_id: 0199a5d2-0000-7000-8000-0000000000aa", result.Output);
        Assert.Contains($"benchmarks[1] arithmetic: 0199a5d2-0000-7000-8000-0000000000b2, 3 items, {ArithmeticHash}", result.Output);
        Assert.Contains($"Imported 3 items from {items} into benchmarks[1] (content hash {ArithmeticHash})", result.Output);
    }

    [Fact]
    public void The_printed_content_hash_is_the_one_the_suites_service_computes_for_the_items()
    {
        // The Suites service hashes the items it stores, as DatasetContentItems (SuitesApi); the CLI hashes the
        // imported SuiteItems. Both go through the one DatasetContentHash, and the rubric is not part of it.
        SuiteItem[] imported =
        [
            new("a1", "What is 2 + 3?", "5", ScoringRubric: new JsonObject { ["type"] = "includes" }),
            new("a2", "What is 10 / 4?", "2.5", ["2.5", "5/2"]),
            new("a3", "Write \"7\", then a comma, then 8:\n", "7,8"),
        ];
        DatasetContentItem[] stored =
        [
            new("a1", ItemInput.FromText("What is 2 + 3?"), "5", null),
            new("a2", ItemInput.FromText("What is 10 / 4?"), "2.5", ["2.5", "5/2"]),
            new("a3", ItemInput.FromText("Write \"7\", then a comma, then 8:\n"), "7,8", null),
        ];

        Assert.Equal(ArithmeticHash, DatasetContentHash.Compute(imported));
        Assert.Equal(ArithmeticHash, DatasetContentHash.Compute(stored));
    }

    [Fact]
    public async Task When_the_server_stored_other_answers_only_its_content_hash_is_printed()
    {
        await using var gateway = await GatewayAsync();
        var suite = Write("suite.yaml", SuiteYaml);
        // Without answers the items hash differently from the arithmetic benchmark's stored ones (ArithmeticHash).
        var items = Write("items.jsonl", """{"id": "a1", "input": "What is 2 + 3?"}""" + "\n");

        var result = await CliHarness.RunAsync("suite", "create", "--gateway", gateway.Url, "--file", suite, "--dataset", items, "--benchmark", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"benchmarks[1] arithmetic: 0199a5d2-0000-7000-8000-0000000000b2, 3 items, {ArithmeticHash}", result.Output);
        Assert.Contains($"Imported 1 items from {items} into benchmarks[1]; the server stored them changed", result.Output);
        Assert.DoesNotContain(DatasetContentHash.Compute([new SuiteItem("a1", "What is 2 + 3?")]), result.Output);
        Assert.DoesNotContain("sha256:", result.Output);
    }

    [Theory]
    [InlineData("openai-evals", "items.jsonl",
        """{"input": [{"role": "user", "content": "What is 2 + 3?"}], "ideal": "5"}""")]
    [InlineData("inspect", "items.jsonl",
        """{"id": "line-1", "input": [{"role": "user", "content": "What is 2 + 3?"}], "target": ["5"], "metadata": {"source": "x"}}""")]
    [InlineData("jsonl", "items.jsonl",
        """{"input": [{"role": "user", "content": "What is 2 + 3?"}], "expected": "5"}""")]
    public async Task Every_format_puts_the_same_items_in_the_suite(string format, string name, string line)
    {
        await using var gateway = await GatewayAsync();
        var suite = Write("suite.json", """{"suite_name": "s", "benchmarks": [{"name": "only", "scoring_rubric": {"type": "exact_match"}}]}""");

        var result = await CliHarness.RunAsync("suite", "create", "--gateway", gateway.Url, "--file", suite, "--dataset", Write(name, line + "\n"), "--format", format);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(
            """{"suite_name":"s","benchmarks":[{"name":"only","scoring_rubric":{"type":"exact_match"},"dataset":{"items":[{"id":"line-1","input":[{"role":"user","content":"What is 2 + 3?"}],"expected":"5"}]}}]}"""),
            Sent(gateway)), gateway.Requests.Single().Body);
    }

    [Fact]
    public async Task Promptfoo_tests_become_items_with_rubrics_and_json_prints_the_answer()
    {
        await using var gateway = await GatewayAsync();
        var suite = Write("suite.json", """{"suite_name": "s", "benchmarks": [{"name": "only", "scoring_rubric": {"type": "includes"}}]}""");
        var tests = Write("tests.jsonl", """
            {"vars": {"city": "France"}, "assert": [{"type": "icontains", "value": "Paris"}]}
            {"vars": {"city": "Japan"}, "assert": [{"type": "regex", "value": "Tokyo|東京"}]}
            """);

        var result = await CliHarness.RunAsync("suite", "create", "--gateway", gateway.Url, "--json", "--file", suite, "--dataset", tests,
            "--format", "promptfoo", "--template", "What is the capital of {{city}}?");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"id": "line-1", "input": "What is the capital of France?", "expected": "Paris", "scoring_rubric": {"type": "includes"}},
             {"id": "line-2", "input": "What is the capital of Japan?", "scoring_rubric": {"pattern": "Tokyo|東京", "type": "regex"}}]
            """), Sent(gateway)["benchmarks"]![0]!["dataset"]!["items"]), gateway.Requests.Single().Body);
        Assert.Equal("0199a5d2-0000-7000-8000-0000000000aa", JsonNode.Parse(result.Output)!["suite_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_suite_file_without_a_dataset_is_sent_as_written()
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync("suite", "create", "--gateway", gateway.Url, "--file", Write("suite.yml", SuiteYaml));

        Assert.True(result.ExitCode == 0, result.ToString());
        var sent = Sent(gateway);
        Assert.Equal("1.0", sent["version"]!.GetValue<string>());
        Assert.Equal(5000, sent["benchmarks"]![1]!["constraints"]!["time_limit_ms"]!.GetValue<int>());
        Assert.Null(sent["benchmarks"]![1]!["dataset"]!["items"]);
    }

    [Theory]
    [InlineData("items.csv", "qid,question\nq1,fine\nq2,\n", "id=qid,input=question", "arithmetic", "items.csv, line 3: question: must not be empty")]
    [InlineData("items.csv", "qid,question\nq1,fine\n", "id=qid,input=question,expected=answer", "arithmetic", "items.csv, line 1: answer: no such column (the header has: qid, question)")]
    [InlineData("items.jsonl", "{\"question\": \"fine\"}\n{\"question\": 5, \"answer\": {}}\n", "input=question", "arithmetic", "items.jsonl, line 2: question: must be a non-empty string or a non-empty list of chat messages")]
    [InlineData("items.jsonl", "{\"question\": \"fine\", \"expected\": {}}\n", "input=question", "arithmetic", "items.jsonl, line 1: expected: must be a string or a list of strings")]
    [InlineData("items.jsonl", "{\"question\": \"fine\"}\n", "input=question,answer=a", "arithmetic", "items.jsonl: mapping: 'answer' is not a mapping key (use id, input, expected, accepted_outputs, scoring_rubric)")]
    [InlineData("items.jsonl", "{\"question\": \"fine\"}\n", "input=question", "7", "--benchmark 7: the suite has 2 benchmarks (0 to 1)")]
    [InlineData("items.jsonl", "{\"question\": \"fine\"}\n", "input=question", "smoke", "benchmarks[0].dataset.items already holds items; remove them or leave out --dataset")]
    [InlineData("items.jsonl", "{\"question\": \"fine\"}\n", "input=question", "nope", "--benchmark: no benchmark is named 'nope'")]
    [InlineData("items.jsonl", "{\"question\": \"fine\"}\n", "input=question", null, "the suite has 2 benchmarks: name the one that gets the items with --benchmark NAME|INDEX")]
    [InlineData("items.txt", "{\"question\": \"fine\"}\n", "input=question", "1", "--format is needed: 'items.txt' does not say it (jsonl, csv, openai-evals, inspect, promptfoo)")]
    public async Task A_bad_dataset_is_named_and_nothing_is_sent(string name, string content, string map, string? benchmark, string expected)
    {
        await using var gateway = await GatewayAsync();
        var suite = Write("suite.yaml", SuiteYaml);
        string[] target = benchmark is null ? [] : ["--benchmark", benchmark];

        var result = await CliHarness.RunAsync(["suite", "create", "--gateway", gateway.Url, "--file", suite, "--dataset", Write(name, content), "--map", map, .. target]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public async Task Api_problem_details_are_printed_field_by_field()
    {
        await using var gateway = await FakeGateway.StartAsync(app => app.MapPost("/suites", () => Results.ValidationProblem(
            new Dictionary<string, string[]> { ["benchmarks[1].dataset.size"] = ["is 10 but the dataset has 3 items."] })));

        var result = await CliHarness.RunAsync("suite", "create", "--gateway", gateway.Url, "--file", Write("suite.yaml", SuiteYaml));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Error 400: One or more validation errors occurred.", result.Error);
        Assert.Contains("  benchmarks[1].dataset.size: is 10 but the dataset has 3 items.", result.Error);
    }

    [Fact]
    public async Task A_server_error_exits_1()
    {
        await using var gateway = await FakeGateway.StartAsync(app => app.MapPost("/suites", () => Results.Problem(title: "database unavailable", statusCode: 500)));

        var result = await CliHarness.RunAsync("suite", "create", "--gateway", gateway.Url, "--file", Write("suite.yaml", SuiteYaml));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error 500: database unavailable", result.Error);
    }

    [Theory]
    [InlineData("suite.yaml", "suite_name: [unclosed\n", "suite.yaml: line 2: While parsing a flow sequence")]
    [InlineData("suite.json", "{\"suite_name\": \"s\",\n \"suite_name\": \"t\"}", "suite.json: not valid JSON (Duplicate property 'suite_name'")]
    [InlineData("suite.json", "{\"suite_name\": \"s\",\n \"benchmarks\": [}", "suite.json: line 2: not valid JSON ('}' is an invalid start of a value.)")]
    [InlineData("suite.json", "[1, 2]", "suite.json: must hold an object (a mapping, in YAML)")]
    public async Task A_malformed_suite_file_is_named(string name, string content, string expected)
    {
        await using var gateway = await GatewayAsync();

        var result = await CliHarness.RunAsync("suite", "create", "--gateway", gateway.Url, "--file", Write(name, content));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Empty(gateway.Requests);
    }

    [Fact]
    public async Task Dataset_options_without_a_dataset_are_a_usage_error()
    {
        var result = await CliHarness.RunAsync("suite", "create", "--file", "suite.yaml", "--map", "input=q");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("--map applies to --dataset, which is not given.", result.Error);
        Assert.Contains("Run 'benchmesh suite create --help' for usage.", result.Error);
    }
}
