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
          "name": "arithmetic-and-text", "description": "two small benchmarks", "category": "reasoning", "version": "3",
          "workspace_id": "team-a",
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

    [Fact]
    public async Task CreatedSuiteReadsBackWithItemsRubricsConstraintsAndDefaults()
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient();

        var created = await client.PostAsync("/suites", Json(ArithmeticAndText));
        var createdText = await created.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var suite = JsonNode.Parse(createdText)!.AsObject();
        var suiteId = (string)suite["suite_id"]!;
        Assert.Equal($"/suites/{suiteId}", created.Headers.Location?.OriginalString);
        Assert.Equal("arithmetic-and-text", (string)suite["name"]!);
        Assert.Equal("two small benchmarks", (string)suite["description"]!);
        Assert.Equal("reasoning", (string)suite["category"]!);
        Assert.Equal("3", (string)suite["version"]!);
        Assert.Equal("team-a", (string)suite["workspace_id"]!);

        var arithmetic = suite["benchmarks"]![0]!;
        Assert.NotNull((string?)arithmetic["benchmark_id"]);
        Assert.Equal("math", (string)arithmetic["category"]!);
        Assert.Equal("sums", (string)arithmetic["description"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "type": "numeric_tolerance", "tolerance": 0.01, "relative": false }"""), arithmetic["scoring_rubric"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            { "timeout_seconds": 30, "target_latency_ms": 800, "target_tokens": 200, "target_cost_usd": 0.002, "max_tokens": 256 }
            """), arithmetic["constraints"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            { "name": "arith-2", "item_count": 2, "items": [
                { "id": "q1", "input": "What is 2 + 3?", "expected": "5", "scoring_rubric": null },
                { "id": "q2", "input": "What is 10 / 4?", "expected": "2.5", "scoring_rubric": { "type": "regex", "pattern": "^2[.,]5$" } } ] }
            """), arithmetic["dataset"]), arithmetic["dataset"]!.ToJsonString());

        // What the request left out takes the documented defaults: the suite's category, BenchmarkConstraints.
        var text = suite["benchmarks"]![1]!;
        Assert.Equal("reasoning", (string)text["category"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            { "timeout_seconds": 30, "target_latency_ms": 1000, "target_tokens": 1000, "target_cost_usd": 0.01, "max_tokens": null }
            """), text["constraints"]));
        Assert.Null((string?)text["dataset"]!["items"]![0]!["expected"]);

        var readText = await client.GetStringAsync($"/suites/{suiteId}");
        Assert.True(JsonNode.DeepEquals(suite, JsonNode.Parse(readText)), $"POST answered {createdText}\nGET answered {readText}");

        // The listing carries everything but the items.
        var listed = (await client.GetFromJsonAsync<JsonObject>("/suites"))!["suites"]!.AsArray().Single()!;
        Assert.False(listed["benchmarks"]![0]!["dataset"]!.AsObject().ContainsKey("items"));
        Assert.Equal(2, (int)listed["benchmarks"]![0]!["dataset"]!["item_count"]!);
        listed["benchmarks"]![0]!["dataset"]!.AsObject().Add("items", suite["benchmarks"]![0]!["dataset"]!["items"]!.DeepClone());
        listed["benchmarks"]![1]!["dataset"]!.AsObject().Add("items", suite["benchmarks"]![1]!["dataset"]!["items"]!.DeepClone());
        Assert.True(JsonNode.DeepEquals(suite, listed));
    }

    [Fact]
    public async Task SuiteWithOnlyRequiredFieldsGetsDefaults()
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient();

        var response = await client.PostAsync("/suites", Json("""
            { "name": "minimal", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "exact_match" } } ] }
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var suite = await response.ReadObjectAsync();
        Assert.Equal("general", (string)suite["category"]!);
        Assert.Equal("general", (string)suite["benchmarks"]![0]!["category"]!);
        Assert.Equal(0, (int)suite["benchmarks"]![0]!["dataset"]!["item_count"]!);
        Assert.Empty(suite["regression_thresholds"]!.AsObject());
    }

    [Fact]
    public async Task RegressionThresholdsOverrideTheEnginesDefaultsAndReadBack()
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient();

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
    public async Task ListingFiltersByWorkspaceAndCategory()
    {
        await using var app = new SuitesApp(infrastructure, "suites");
        var client = app.CreateClient();
        (await client.PostAsync("/suites", Json(ArithmeticAndText))).EnsureSuccessStatusCode();
        (await client.PostAsync("/suites", Json("""
            { "name": "other", "workspace_id": "team-b", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }
            """))).EnsureSuccessStatusCode();

        async Task<string[]> Names(string query) =>
            [.. (await client.GetFromJsonAsync<JsonObject>($"/suites{query}"))!["suites"]!.AsArray().Select(s => (string)s!["name"]!)];

        Assert.Equal(["arithmetic-and-text", "other"], await Names(""));
        Assert.Equal(["other"], await Names("?workspace_id=team-b"));
        Assert.Equal(["arithmetic-and-text"], await Names("?category=reasoning"));
    }

    [Theory]
    [InlineData("/suites/00000000-0000-0000-0000-000000000001")]
    [InlineData("/suites/nope")]
    public async Task UnknownSuiteIsNotFound(string path)
    {
        await using var app = new SuitesApp(infrastructure, "suites");

        await (await app.CreateClient().GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    private static string WithBenchmark(string benchmark) => $$"""{ "name": "s", "benchmarks": [ {{benchmark}} ] }""";

    private static string WithItems(string items) =>
        WithBenchmark($$"""{ "name": "b", "scoring_rubric": { "type": "exact_match" }, "dataset": { "items": [ {{items}} ] } }""");

    private static string WithRubric(string rubric) => WithBenchmark($$"""{ "name": "b", "scoring_rubric": {{rubric}} }""");

    public static TheoryData<string, string> InvalidSuites => new()
    {
        { """{ "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }""", "name" },
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
        // Malformed JSON and values of the wrong type name the field where reading stopped.
        { "this is not JSON", "body" },
        { """{ "name": "s", "benchmarks": [ { "name": "b", """, "benchmarks[0]" },
        { WithBenchmark("""{ "name": "b", "scoring_rubric": { "type": "f1" }, "constraints": { "timeout_seconds": "soon" } }"""), "benchmarks[0].constraints.timeout_seconds" },
    };

    [Fact]
    public async Task JsonSchemaRubricWithEverySupportedKeywordIsAccepted()
    {
        await using var app = new SuitesApp(infrastructure, "suites");

        var response = await app.CreateClient().PostAsync("/suites", Json(WithRubric("""
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
        var client = app.CreateClient();

        var response = await client.PostAsync("/suites", Json(body));

        await response.AssertValidationProblemAsync(field);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }
}
