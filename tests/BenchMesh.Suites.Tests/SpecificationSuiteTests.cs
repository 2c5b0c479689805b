using System.Net;
using System.Text.Json.Nodes;
using BenchMesh.Testing;
using static BenchMesh.Suites.Tests.HttpAssertions;

namespace BenchMesh.Suites.Tests;

/// <summary>The specification's suite model (§1.1) as the API's own: posted as written, read back field for field.</summary>
public sealed class SpecificationSuiteTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    public const string RefundsId = "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d01";
    public const string ToneId = "0193a1a0-5b2c-7e4f-8a1d-3c5e7f9b1d02";

    /// <summary>
    /// SHA-256 of the refund items' canonical form, computed apart with Python:
    /// <c>hashlib.sha256(json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()</c>.
    /// </summary>
    public const string RefundsHash = "6446cb768aacf8c038f80218a34fe7dde46747b3ff790ead5e5198e4c1388275";
    public const string ToneHash = "914671a65f5912def7b18239d13bf6f9b087406a28a2e4849f35c7146b33c6b5";

    /// <summary>The §1.1 example with real values; the baseline's agent and the judge must be registered.</summary>
    public static string Example(string agentId, string judgeId) => $$"""
        {
          "suite_name": "customer-support-qa",
          "description": "Refund answers and tone under pressure",
          "category": "accuracy",
          "version": "2.1.0",
          "workspace_id": "default",
          "benchmarks": [
            {
              "benchmark_id": "{{RefundsId}}",
              "name": "refund-policy",
              "description": "Facts from the refund policy",
              "category": "support",
              "test_type": "real_world",
              "metrics_measured": ["accuracy_score", "speed_score", "latency_ms", "tokens_used"],
              "dataset": {
                "name": "refunds-v3", "size": 3, "complexity": "medium",
                "data_source": "https://support.example.com/exports/refunds-v3.jsonl",
                "items": [
                  { "id": "r1", "input": "How many days do I have to return an item?" },
                  { "id": "r2", "input": [
                      { "role": "system", "content": "You are a support agent. Answer with a number." },
                      { "role": "user", "content": "How many days does a refund take?" } ] },
                  { "id": "r3", "input": "Can I return a gift card?\n\"No\", says the policy — über\ttab \u0001.",
                    "scoring_rubric": { "type": "includes" } }
                ]
              },
              "constraints": { "time_limit_ms": 5000, "memory_limit_mb": 512, "token_limit": 2000, "cost_limit_usd": 0.5 },
              "expected_outputs": ["30", ["5", "five"], "no"],
              "scoring_rubric": { "type": "exact_match", "case_sensitive": false },
              "baseline_scores": { "accuracy_score": 0.8, "speed_score": 0.6 },
              "metadata": { "owner": "support-team", "ticket": "SUP-1234" }
            },
            {
              "benchmark_id": "{{ToneId}}",
              "name": "tone",
              "description": "De-escalates an angry customer",
              "test_type": "edge_case",
              "metrics_measured": ["accuracy_score", "output_relevance"],
              "dataset": {
                "size": 1, "complexity": "high", "data_source": "hand-written",
                "items": [ { "id": "angry-1", "input": "This is the third time my order is late!!",
                             "expected": "An apology and a concrete next step" } ]
              },
              "constraints": { "time_limit_ms": 20000, "total_time_limit_ms": 600000, "timeout_seconds": 25 },
              "scoring_rubric": {
                "type": "model_graded", "judge_agent_id": "{{judgeId}}", "judge_version": "1.0",
                "prompt": "Grade from 0 to 1. Input: {input} Answer: {output} Expected: {expected}",
                "pass_threshold": 0.7, "notes": "rubrics are free-form beyond the keys their type reads"
              }
            }
          ],
          "baseline_scores": [ { "agent_id": "{{agentId}}", "scores": { "accuracy_score": 0.85, "overall_score": 0.7 } } ],
          "regression_thresholds": { "accuracy": 0.02 },
          "metadata": { "source": "spec 1.1", "z": 1, "a": [1.50, 2] }
        }
        """;

    [Fact]
    public async Task SpecificationExamplePostsAsWrittenAndReadsBackFieldForField()
    {
        await using var app = new SuitesApp(infrastructure, "spec");
        var client = app.CreateClient().WithCaller();
        var (agentId, judgeId) = await RegisterAgentsAsync(client);
        var posted = JsonNode.Parse(Example(agentId, judgeId))!;

        var response = await client.PostAsync("/suites", Json(Example(agentId, judgeId)));
        var createdText = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, createdText);
        var created = JsonNode.Parse(createdText)!;
        AssertHolds(posted, created, "");
        var readText = await client.GetStringAsync($"/suites/{(string)created["suite_id"]!}");
        Assert.True(JsonNode.DeepEquals(created, JsonNode.Parse(readText)), $"POST answered {createdText}\nGET answered {readText}");

        // What the server adds: the alias, the ids as given, the derived size and hash, the items' answers.
        Assert.Equal("customer-support-qa", (string)created["name"]!);
        var refunds = created["benchmarks"]![0]!;
        Assert.Equal(RefundsId, (string)refunds["benchmark_id"]!);
        Assert.Equal(RefundsHash, (string)refunds["dataset"]!["content_hash"]!);
        Assert.Equal(ToneHash, (string)created["benchmarks"]![1]!["dataset"]!["content_hash"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [ { "id": "r1", "expected": "30", "accepted_outputs": null },
              { "id": "r2", "expected": "5", "accepted_outputs": ["5", "five"] },
              { "id": "r3", "expected": "no", "accepted_outputs": null } ]
            """), new JsonArray([.. refunds["dataset"]!["items"]!.AsArray().Select(i => (JsonNode)new JsonObject
            {
                ["id"] = i!["id"]!.DeepClone(), ["expected"] = i["expected"]?.DeepClone(), ["accepted_outputs"] = i["accepted_outputs"]?.DeepClone(),
            })])));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            { "timeout_seconds": 30, "target_latency_ms": 1000, "target_tokens": 1000, "target_cost_usd": 0.01, "max_tokens": null,
              "time_limit_ms": 5000, "total_time_limit_ms": null, "memory_limit_mb": 512, "token_limit": 2000, "cost_limit_usd": 0.5 }
            """), refunds["constraints"]), refunds["constraints"]!.ToJsonString());

        // metadata is kept as written: key order and number spelling (a jsonb column would have reordered it).
        Assert.Equal(["source", "z", "a"], created["metadata"]!.AsObject().Select(p => p.Key));
        Assert.Equal("1.50", created["metadata"]!["a"]![0]!.ToJsonString());
    }

    [Fact]
    public async Task AnswersComeFromTheItemsOrFromExpectedOutputsAndAgree()
    {
        await using var app = new SuitesApp(infrastructure, "spec");

        var response = await app.CreateClient().WithCaller().PostAsync("/suites", Json("""
            { "suite_name": "s", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "exact_match" },
                "expected_outputs": [null, "b2", "c2"],
                "dataset": { "size": 3, "items": [
                  { "id": "a", "input": "x", "accepted_outputs": ["a1", "a2"] },
                  { "id": "b", "input": "y", "expected": "b2", "accepted_outputs": ["b1", "b2"] },
                  { "id": "c", "input": "z", "accepted_outputs": ["c1", "c2"] } ] } } ] }
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var benchmark = (await response.ReadObjectAsync())["benchmarks"]![0]!;
        // A null entry states nothing; a string entry names the expected answer among the item's accepted ones.
        Assert.Equal(["a1", "b2", "c2"], benchmark["dataset"]!["items"]!.AsArray().Select(i => (string)i!["expected"]!));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[["a1", "a2"], ["b1", "b2"], ["c1", "c2"]]"""), benchmark["expected_outputs"]));
    }

    [Fact]
    public async Task SuiteNameAndItsAliasMayBothBeGivenWhenTheyAgree()
    {
        await using var app = new SuitesApp(infrastructure, "spec");

        var response = await app.CreateClient().WithCaller().PostAsync("/suites", Json("""
            { "suite_name": "s", "name": "s", "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "f1" } } ] }
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var suite = await response.ReadObjectAsync();
        Assert.Equal(("s", "s"), ((string)suite["suite_name"]!, (string)suite["name"]!));
    }

    [Fact]
    public async Task ABenchmarkIdOfAnotherSuiteIsAConflictAndWritesNothing()
    {
        await using var app = new SuitesApp(infrastructure, "spec");
        var client = app.CreateClient().WithCaller();
        var body = $$"""
            { "suite_name": "s", "benchmarks": [ { "benchmark_id": "{{RefundsId}}", "name": "b", "scoring_rubric": { "type": "f1" },
                                                   "dataset": { "items": [ { "id": "a", "input": "x" } ] } } ] }
            """;
        (await client.PostAsync("/suites", Json(body))).EnsureSuccessStatusCode();
        var before = await app.CountRowsAsync();

        var again = await client.PostAsync("/suites", Json(body));

        await again.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(before, await app.CountRowsAsync());
    }

    [Fact]
    public async Task AJudgeMustBeARegisteredOpenAiChatAgent()
    {
        await using var app = new SuitesApp(infrastructure, "spec");
        var client = app.CreateClient().WithCaller();
        var (agentId, judgeId) = await RegisterAgentsAsync(client);
        var before = await app.CountRowsAsync();

        // agentId is an http-json agent: it cannot judge.
        var response = await client.PostAsync("/suites", Json(Example(agentId, agentId)));

        await response.AssertValidationProblemAsync("benchmarks[1].scoring_rubric.judge_agent_id");
        Assert.Equal(before, await app.CountRowsAsync());
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/suites", Json(Example(agentId, judgeId)))).StatusCode);
    }

    /// <summary>An http-json agent (the baseline's) and an openai-chat agent (the judge).</summary>
    public static async Task<(string AgentId, string JudgeId)> RegisterAgentsAsync(HttpClient client)
    {
        var agent = await (await client.PostAsync("/agents", Json("""
            { "name": "support-bot", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://127.0.0.1:5161/json",
              "versions": [ { "version": "1.0" } ] }
            """))).ReadObjectAsync();
        var judge = await (await client.PostAsync("/agents", Json("""
            { "name": "judge", "workspace_id": "default", "protocol": "openai-chat", "endpoint": "http://127.0.0.1:5161/v1",
              "versions": [ { "version": "1.0" } ] }
            """))).ReadObjectAsync();
        return ((string)agent["agent_id"]!, (string)judge["agent_id"]!);
    }

    /// <summary>Every field of <paramref name="expected"/> is in <paramref name="actual"/> with the same value (arrays element by element).</summary>
    private static void AssertHolds(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject fields:
                Assert.True(actual is JsonObject, $"{path}: expected an object, got {actual?.ToJsonString() ?? "null"}");
                foreach (var (name, value) in fields)
                {
                    Assert.True(actual!.AsObject().ContainsKey(name), $"{path}.{name} is missing from {actual.ToJsonString()}");
                    AssertHolds(value, actual[name], $"{path}.{name}");
                }

                break;
            case JsonArray elements:
                Assert.True(actual is JsonArray array && array.Count == elements.Count, $"{path}: expected {elements.ToJsonString()}, got {actual?.ToJsonString() ?? "null"}");
                for (var i = 0; i < elements.Count; i++)
                {
                    AssertHolds(elements[i], actual![i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: expected {expected?.ToJsonString() ?? "null"}, got {actual?.ToJsonString() ?? "null"}");
                break;
        }
    }
}
