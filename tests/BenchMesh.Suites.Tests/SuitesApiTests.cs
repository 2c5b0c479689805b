using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchMesh.Testing;
using static BenchMesh.Suites.Tests.HttpAssertions;

namespace BenchMesh.Suites.Tests;

public sealed class SuitesApiTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    public const string ArithmeticAndText = """
        {
          "name": "arithmetic-and-text", "description": "two small benchmarks", "category": "accuracy", "version": "3",
          "workspace_id": "default",
          "benchmarks": [
            {
              "name": "arithmetic", "description": "sums", "category": "math",
              "scoring_rubric": { "type": "numeric_tolerance", "tolerance": 0.01, "relative": false },
              "constraints": { "timeout_seconds": 30, "target_latency_ms": 800, "target_tokens": 200,
                               "target_cost_usd": 0.002, "max_tokens": 256 },
              "dataset": { "name": "arith-2", "items": [
                { "id": "q1", "input": "What is 2 + 3?", "expected": "5" },
                { "id": "q2", "input": "What is 10 / 4?", "expected": "2.5",
                  "scoring_rubric": { "type": "regex", "pattern": "^2[.,]5$" } } ] }
            },
            {
              "name": "text",
              "scoring_rubric": { "type": "json_schema", "schema": { "type": "object", "required": ["answer"] } },
              "dataset": { "items": [ { "id": "t1", "input": "Reply in JSON." } ] }
            }
          ]
        }
        """;

    public const string ArithmeticHash = "affa5725a1efe3bebc24bb39eb2c0b87789eaf56e5a58717d9bffafd64c16023";

    [Fact]
    public async Task CreatedSuiteReadsBackWithItemsRubricsConstraintsAndDefaults()
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient().WithCaller();

        var created = await client.PostAsync("/suites", Json(ArithmeticAndText));
        var createdText = await created.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var suite = JsonNode.Parse(createdText)!.AsObject();
        var suiteId = (string)suite["suite_id"]!;
        Assert.Equal($"/suites/{suiteId}", created.Headers.Location?.OriginalString);
        Assert.Equal("arithmetic-and-text", (string)suite["name"]!);
        Assert.Equal("two small benchmarks", (string)suite["description"]!);
        Assert.Equal("accuracy", (string)suite["category"]!);
        Assert.Equal("3", (string)suite["version"]!);
        Assert.Equal("default", (string)suite["workspace_id"]!);

        var arithmetic = suite["benchmarks"]![0]!;
        Assert.NotNull((string?)arithmetic["benchmark_id"]);
        Assert.Equal("math", (string)arithmetic["category"]!);
        Assert.Equal("sums", (string)arithmetic["description"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "type": "numeric_tolerance", "tolerance": 0.01, "relative": false }"""), arithmetic["scoring_rubric"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            { "timeout_seconds": 30, "target_latency_ms": 800, "target_tokens": 200, "target_cost_usd": 0.002, "max_tokens": 256,
              "time_limit_ms": null, "total_time_limit_ms": null, "memory_limit_mb": null, "token_limit": null, "cost_limit_usd": null }
            """), arithmetic["constraints"]), arithmetic["constraints"]!.ToJsonString());
        // The hash of the canonical form [{"id":"q1","input":"What is 2 + 3?","expected":"5","accepted_outputs":null},…]
        // (computed apart, with Python's json.dumps(items, ensure_ascii=False, separators=(",", ":"))).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            { "name": "arith-2", "size": 2, "item_count": 2, "complexity": null, "data_source": null,
              "content_hash": "{{ArithmeticHash}}", "items": [
                { "id": "q1", "input": "What is 2 + 3?", "expected": "5", "accepted_outputs": null, "scoring_rubric": null },
                { "id": "q2", "input": "What is 10 / 4?", "expected": "2.5", "accepted_outputs": null, "scoring_rubric": { "type": "regex", "pattern": "^2[.,]5$" } } ] }
            """), arithmetic["dataset"]), arithmetic["dataset"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["5", "2.5"]"""), arithmetic["expected_outputs"]));

        // What the request left out takes the documented defaults: the suite's category, BenchmarkConstraints.
        var text = suite["benchmarks"]![1]!;
        Assert.Equal("accuracy", (string)text["category"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            { "timeout_seconds": 30, "target_latency_ms": 1000, "target_tokens": 1000, "target_cost_usd": 0.01, "max_tokens": null,
              "time_limit_ms": null, "total_time_limit_ms": null, "memory_limit_mb": null, "token_limit": null, "cost_limit_usd": null }
            """), text["constraints"]));
        Assert.Null((string?)text["dataset"]!["items"]![0]!["expected"]);

        var readText = await client.GetStringAsync($"/suites/{suiteId}");
        Assert.True(JsonNode.DeepEquals(suite, JsonNode.Parse(readText)), $"POST answered {createdText}\nGET answered {readText}");

        // The listing carries everything but the items.
        var listed = (await client.GetFromJsonAsync<JsonObject>("/suites"))!["suites"]!.AsArray().Single()!;
        Assert.False(listed["benchmarks"]![0]!["dataset"]!.AsObject().ContainsKey("items"));
        Assert.Equal(2, (int)listed["benchmarks"]![0]!["dataset"]!["item_count"]!);
        for (var b = 0; b < 2; b++)
        {
            // The items, and expected_outputs that are derived from them, stay out of a listing.
            Assert.False(listed["benchmarks"]![b]!.AsObject().ContainsKey("expected_outputs"));
            listed["benchmarks"]![b]!["dataset"]!.AsObject().Add("items", suite["benchmarks"]![b]!["dataset"]!["items"]!.DeepClone());
            listed["benchmarks"]![b]!.AsObject().Add("expected_outputs", suite["benchmarks"]![b]!["expected_outputs"]!.DeepClone());
        }

        Assert.True(JsonNode.DeepEquals(suite, listed));
    }

    [Fact]
    public async Task SuiteWithOnlyRequiredFieldsGetsDefaults()
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient().WithCaller();

        var response = await client.PostAsync("/suites", Json("""
            { "name": "minimal", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "exact_match" } } ] }
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var suite = await response.ReadObjectAsync();
        Assert.Equal("comprehensive", (string)suite["category"]!);
        Assert.Equal("comprehensive", (string)suite["benchmarks"]![0]!["category"]!);
        Assert.Equal(0, (int)suite["benchmarks"]![0]!["dataset"]!["item_count"]!);
        Assert.Empty(suite["regression_thresholds"]!.AsObject());
    }

    [Fact]
    public async Task RegressionThresholdsOverrideTheEnginesDefaultsAndReadBack()
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient().WithCaller();

        var response = await client.PostAsync("/suites", Json("""
            { "name": "tolerant", "regression_thresholds": { "latency_ms": 0.15, "cost_per_task_usd": 0.2, "error_rate": 0.05 },
              "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "exact_match" } } ] }
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadObjectAsync();
        var expected = JsonNode.Parse("""{ "latency_ms": 0.15, "cost_per_task_usd": 0.2, "error_rate": 0.05 }""");
        Assert.True(JsonNode.DeepEquals(expected, created["regression_thresholds"]));
        var read = await (await client.GetAsync($"/suites/{(string)created["suite_id"]!}")).ReadObjectAsync();
        Assert.True(JsonNode.DeepEquals(expected, read["regression_thresholds"]));
    }

    [Fact]
    public async Task ListingShowsTheCallersAndPublicSuitesAndFiltersByWorkspaceAndCategory()
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient().WithCaller();
        var teamB = app.CreateClient().WithCaller("team-b");
        (await client.PostAsync("/suites", Json(ArithmeticAndText))).EnsureSuccessStatusCode();
        (await teamB.PostAsync("/suites", Json("""
            { "name": "other", "workspace_id": "team-b", "is_public": true, "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }
            """))).EnsureSuccessStatusCode();
        (await teamB.PostAsync("/suites", Json("""
            { "name": "private", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }
            """))).EnsureSuccessStatusCode();

        async Task<string[]> Names(string query) =>
            [.. (await client.GetFromJsonAsync<JsonObject>($"/suites{query}"))!["suites"]!.AsArray().Select(s => (string)s!["name"]!)];

        Assert.Equal(["arithmetic-and-text", "other"], await Names(""));
        Assert.Equal(["other"], await Names("?workspace_id=team-b"));
        Assert.Equal(["arithmetic-and-text"], await Names("?category=accuracy"));
    }

    [Theory]
    [InlineData("/suites/00000000-0000-0000-0000-000000000001")]
    [InlineData("/suites/nope")]
    public async Task UnknownSuiteIsNotFound(string path)
    {
        await using var app = new SuitesApp(infrastructure, "suites");

        await (await app.CreateClient().WithCaller().GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static string WithBenchmark(string benchmark) => $$"""{ "name": "s", "benchmarks": [ {{benchmark}} ] }""";

    private static string WithItems(string items) =>
        WithBenchmark($$"""{ "name": "b", "scoring_rubric": { "type": "exact_match" }, "dataset": { "items": [ {{items}} ] } }""");

    private static string WithRubric(string rubric) => WithBenchmark($$"""{ "name": "b", "scoring_rubric": {{rubric}} }""");

    public static TheoryData<string, string> InvalidSuites => new()
    {
        { """{ "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "suite_name" },
        { """{ "name": "s" }""", "benchmarks" },
        { """{ "name": "s", "benchmarks": [] }""", "benchmarks" },
        { WithBenchmark("""{ "scoring_rubric": { "type": "f1" } }"""), "benchmarks[0].name" },
        { WithBenchmark("""{ "name": "b" }"""), "benchmarks[0].scoring_rubric" },
        { WithRubric("\"exact_match\""), "benchmarks[0].scoring_rubric" },
        { WithRubric("""{ "case_sensitive": true }"""), "benchmarks[0].scoring_rubric.type" },
        { WithRubric("""{ "type": "levenshtein" }"""), "benchmarks[0].scoring_rubric.type" },
        { WithRubric("""{ "type": "regex" }"""), "benchmarks[0].scoring_rubric.pattern" },
        { WithRubric("""{ "type": "regex", "pattern": "([a-z" }"""), "benchmarks[0].scoring_rubric.pattern" },
        { WithRubric("""{ "type": "numeric_tolerance", "tolerance": -0.5 }"""), "benchmarks[0].scoring_rubric.tolerance" },
        { WithRubric("""{ "type": "json_schema" }"""), "benchmarks[0].scoring_rubric.schema" },
        // Schema keywords Scoring applies must have the types it applies them with, in every nested schema.
        { WithRubric("""{ "type": "json_schema", "schema": { "type": 5 } }"""), "benchmarks[0].scoring_rubric.schema.type" },
        { WithRubric("""{ "type": "json_schema", "schema": { "type": "Object" } }"""), "benchmarks[0].scoring_rubric.schema.type" },
        { WithRubric("""{ "type": "json_schema", "schema": { "type": ["string", 1] } }"""), "benchmarks[0].scoring_rubric.schema.type" },
        { WithRubric("""{ "type": "json_schema", "schema": { "type": [] } }"""), "benchmarks[0].scoring_rubric.schema.type" },
        { WithRubric("""{ "type": "json_schema", "schema": { "required": [1] } }"""), "benchmarks[0].scoring_rubric.schema.required" },
        { WithRubric("""{ "type": "json_schema", "schema": { "required": "name" } }"""), "benchmarks[0].scoring_rubric.schema.required" },
        { WithRubric("""{ "type": "json_schema", "schema": { "properties": [] } }"""), "benchmarks[0].scoring_rubric.schema.properties" },
        { WithRubric("""{ "type": "json_schema", "schema": { "properties": { "age": { "type": "integer", "minimum": "0" } } } }"""), "benchmarks[0].scoring_rubric.schema.properties.age.minimum" },
        { WithRubric("""{ "type": "json_schema", "schema": { "properties": { "tags": { "items": { "required": [true] } } } } }"""), "benchmarks[0].scoring_rubric.schema.properties.tags.items.required" },
        { WithRubric("""{ "type": "json_schema", "schema": { "properties": { "a": 5 } } }"""), "benchmarks[0].scoring_rubric.schema.properties.a" },
        { WithRubric("""{ "type": "json_schema", "schema": { "enum": "admin" } }"""), "benchmarks[0].scoring_rubric.schema.enum" },
        { WithRubric("""{ "type": "json_schema", "schema": { "items": [ { "type": "string" } ] } }"""), "benchmarks[0].scoring_rubric.schema.items" },
        { WithRubric("""{ "type": "json_schema", "schema": { "maximum": null } }"""), "benchmarks[0].scoring_rubric.schema.maximum" },
        { WithItems("""{ "id": "a", "input": "x", "scoring_rubric": { "type": "json_schema", "schema": { "type": 5 } } }"""), "benchmarks[0].dataset.items[0].scoring_rubric.schema.type" },
        { WithRubric("""{ "type": "exact_match", "case_sensitive": "yes" }"""), "benchmarks[0].scoring_rubric.case_sensitive" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "timeout_seconds": 0 } }"""), "benchmarks[0].constraints.timeout_seconds" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "timeout_seconds": 601 } }"""), "benchmarks[0].constraints.timeout_seconds" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "target_latency_ms": 0 } }"""), "benchmarks[0].constraints.target_latency_ms" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "target_cost_usd": -1 } }"""), "benchmarks[0].constraints.target_cost_usd" },
        { WithItems("""{ "input": "x" }"""), "benchmarks[0].dataset.items[0].id" },
        { WithItems("""{ "id": "a", "input": "x" }, { "id": "b", "input": "y" }, { "id": "a", "input": "z" }"""), "benchmarks[0].dataset.items[2].id" },
        { WithItems("""{ "id": "a" }"""), "benchmarks[0].dataset.items[0].input" },
        { WithItems("""{ "id": "a", "input": "x", "scoring_rubric": { "type": "regex", "pattern": "(" } }"""), "benchmarks[0].dataset.items[0].scoring_rubric.pattern" },
        { WithItems("null"), "benchmarks[0].dataset.items[0]" },
        { WithItems(string.Join(", ", Enumerable.Range(0, 10_001).Select(i => $$"""{ "id": "i{{i}}", "input": "x" }"""))), "benchmarks[0].dataset.items" },
        { $$"""{ "name": "s", "benchmarks": [ {{string.Join(", ", Enumerable.Repeat("""{ "name": "b", "scoring_rubric": { "type": "f1" } }""", 201))}} ] }""", "benchmarks" },
        // Regression thresholds: known metrics only, each valid for its scale.
        { """{ "name": "s", "regression_thresholds": [0.1], "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "regression_thresholds" },
        { """{ "name": "s", "regression_thresholds": { "p99_latency": 0.1 }, "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "regression_thresholds.p99_latency" },
        { """{ "name": "s", "regression_thresholds": { "accuracy": 2 }, "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "regression_thresholds.accuracy" },
        { """{ "name": "s", "regression_thresholds": { "latency_ms": 0 }, "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "regression_thresholds.latency_ms" },
        { """{ "name": "s", "regression_thresholds": { "latency_ms": 50 }, "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "regression_thresholds.latency_ms" },
        { """{ "name": "s", "regression_thresholds": { "tokens_per_task": "5%" }, "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "regression_thresholds.tokens_per_task" },
        { """{ "name": "s", "regression_thresholds": { "latency_ms": 0.1, "latency_ms": 0.2 }, "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "regression_thresholds.latency_ms" },
        // The specification's model (§1.1): inconsistent or unknown values name the field.
        { """{ "suite_name": "s", "name": "t", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "name" },
        { """{ "suite_name": "s", "category": "reasoning", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "category" },
        { """{ "suite_name": "s", "suite_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "suite_id" },
        { """{ "suite_name": "s", "metadata": ["x"], "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "metadata" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "metadata": "x" }"""), "benchmarks[0].metadata" },
        { WithBenchmark("""{ "benchmark_id": "refunds-1", "name": "b", "scoring_rubric": { "type": "f1" } }"""), "benchmarks[0].benchmark_id" },
        { """{ "name": "s", "benchmarks": [ { "benchmark_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01", "name": "a", "scoring_rubric": { "type": "f1" } }, { "benchmark_id": "0193A1A0-5B2C-7E4F-8A1D-3C5E7F9B1D01", "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "benchmarks[1].benchmark_id" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "test_type": "unit" }"""), "benchmarks[0].test_type" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "metrics_measured": ["accuracy_score", "vibes"] }"""), "benchmarks[0].metrics_measured[1]" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "metrics_measured": ["latency_ms", "latency_ms"] }"""), "benchmarks[0].metrics_measured[1]" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "dataset": { "size": 3, "items": [ { "id": "a", "input": "x" }, { "id": "b", "input": "y" } ] } }"""), "benchmarks[0].dataset.size" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "dataset": { "size": 10, "complexity": "low" } }"""), "benchmarks[0].dataset.items" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "dataset": { "size": -1, "items": [] } }"""), "benchmarks[0].dataset.size" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "dataset": { "complexity": "trivial", "items": [ { "id": "a", "input": "x" } ] } }"""), "benchmarks[0].dataset.complexity" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "expected_outputs": ["5"] }"""), "benchmarks[0].dataset.items" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "expected_outputs": ["5"], "dataset": { "items": [ { "id": "a", "input": "x" }, { "id": "b", "input": "y" } ] } }"""), "benchmarks[0].expected_outputs" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "expected_outputs": ["5", "6"], "dataset": { "items": [ { "id": "a", "input": "x" }, { "id": "b", "input": "y", "expected": "7" } ] } }"""), "benchmarks[0].expected_outputs[1]" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "expected_outputs": [["5", "6"]], "dataset": { "items": [ { "id": "a", "input": "x", "accepted_outputs": ["5"] } ] } }"""), "benchmarks[0].expected_outputs[0]" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "expected_outputs": [5], "dataset": { "items": [ { "id": "a", "input": "x" } ] } }"""), "benchmarks[0].expected_outputs[0]" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "expected_outputs": [[]], "dataset": { "items": [ { "id": "a", "input": "x" } ] } }"""), "benchmarks[0].expected_outputs[0]" },
        { WithItems("""{ "id": "a", "input": "x", "expected": "7", "accepted_outputs": ["5", "6"] }"""), "benchmarks[0].dataset.items[0].expected" },
        { WithItems("""{ "id": "a", "input": "x", "accepted_outputs": [] }"""), "benchmarks[0].dataset.items[0].accepted_outputs" },
        { WithItems("""{ "id": "a", "input": 5 }"""), "benchmarks[0].dataset.items[0].input" },
        { WithItems("""{ "id": "a", "input": [] }"""), "benchmarks[0].dataset.items[0].input" },
        { WithItems("""{ "id": "a", "input": [ { "role": "system", "content": "Be brief." } ] }"""), "benchmarks[0].dataset.items[0].input" },
        { WithItems("""{ "id": "a", "input": [ { "role": "tool", "content": "x" }, { "role": "user", "content": "y" } ] }"""), "benchmarks[0].dataset.items[0].input[0].role" },
        { WithItems("""{ "id": "a", "input": [ { "role": "user", "content": "y", "name": "bob" } ] }"""), "benchmarks[0].dataset.items[0].input[0].name" },
        { WithItems("""{ "id": "a", "input": [ { "role": "user", "content": ["y"] } ] }"""), "benchmarks[0].dataset.items[0].input[0].content" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "time_limit_ms": 0 } }"""), "benchmarks[0].constraints.time_limit_ms" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "time_limit_ms": 600001 } }"""), "benchmarks[0].constraints.time_limit_ms" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "total_time_limit_ms": 0 } }"""), "benchmarks[0].constraints.total_time_limit_ms" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "memory_limit_mb": -1 } }"""), "benchmarks[0].constraints.memory_limit_mb" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "token_limit": 0 } }"""), "benchmarks[0].constraints.token_limit" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "cost_limit_usd": 0 } }"""), "benchmarks[0].constraints.cost_limit_usd" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "baseline_scores": { "p99": 0.5 } }"""), "benchmarks[0].baseline_scores.p99" },
        { """{ "name": "s", "baseline_scores": [ { "agent_id": "bot", "scores": { "accuracy_score": 0.5 } } ], "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "baseline_scores[0].agent_id" },
        { """{ "name": "s", "baseline_scores": [ { "agent_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01", "scores": { "accuracy_score": 1.5 } } ], "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "baseline_scores[0].scores.accuracy_score" },
        { """{ "name": "s", "baseline_scores": [ { "agent_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01", "scores": { "accuracy": 0.5 } } ], "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "baseline_scores[0].scores.accuracy" },
        { """{ "name": "s", "baseline_scores": [ { "agent_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01" } ], "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "baseline_scores[0].scores" },
        // Valid in form, but no agent of that id is registered.
        { """{ "name": "s", "baseline_scores": [ { "agent_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01", "scores": { "accuracy_score": 0.5 } } ], "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "baseline_scores[0].agent_id" },
        // model_graded: a judge (a registered openai-chat agent), an optional threshold in [0, 1].
        { WithRubric("""{ "type": "model_graded" }"""), "benchmarks[0].scoring_rubric.judge_agent_id" },
        { WithRubric("""{ "type": "model_graded", "judge_agent_id": "gpt-4o" }"""), "benchmarks[0].scoring_rubric.judge_agent_id" },
        { WithRubric("""{ "type": "model_graded", "judge_agent_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01" }"""), "benchmarks[0].scoring_rubric.judge_agent_id" },
        { WithRubric("""{ "type": "model_graded", "judge_agent_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01", "pass_threshold": 1.5 }"""), "benchmarks[0].scoring_rubric.pass_threshold" },
        { WithRubric("""{ "type": "model_graded", "judge_agent_id": "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01", "prompt": 5 }"""), "benchmarks[0].scoring_rubric.prompt" },
        // Malformed JSON and values of the wrong type name the field where reading stopped.
        { "this is not JSON", "body" },
        { """{ "name": "s", "benchmarks": [ { "name": "b", """, "benchmarks[0]" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "timeout_seconds": "soon" } }"""), "benchmarks[0].constraints.timeout_seconds" },
    };

    [Fact]
    public async Task JsonSchemaRubricWithEverySupportedKeywordIsAccepted()
    {
        await using var app = new SuitesApp(infrastructure, "suites");

        var response = await app.CreateClient().WithCaller().PostAsync("/suites", Json(WithRubric("""
            { "type": "json_schema", "schema": {
                "type": "object", "required": ["name", "age"], "additionalProperties": false,
                "properties": {
                  "name": { "type": ["string", "null"] }, "age": { "type": "integer", "minimum": 0, "maximum": 150.5 },
                  "role": { "enum": ["admin", 1, null] }, "tags": { "type": "array", "items": { "type": "string" } },
                  "anything": true, "nothing": false } } }
            """)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(InvalidSuites))]
    public async Task InvalidSuiteIsRejectedWithTheFieldAndWritesNothing(string body, string field)
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient().WithCaller();

        var response = await client.PostAsync("/suites", Json(body));

        await response.AssertValidationProblemAsync(field);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }
}
