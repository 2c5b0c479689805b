using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BenchMesh.Datasets;
using BenchMesh.Testing;
using static BenchMesh.Suites.Tests.HttpAssertions;

namespace BenchMesh.Suites.Tests;

/// <summary>The CLI and the service show one content hash for the same dataset.</summary>
public sealed class DatasetContentHashTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    [Fact]
    public async Task ImportedItemsStoredByTheServiceHaveTheHashTheCliPrints()
    {
        // A file with what the canonical form distinguishes: chat and text inputs, accepted outputs, a rubric (not
        // hashed), no answer, and strings with every escaping rule.
        const string jsonl = """
            {"id": "c1", "input": [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "2 + 3?"}], "expected": "5"}
            {"id": "t1", "input": "10 / 4 — \"über\" 🎉\tnow?\u0007", "expected": ["2.5", "5/2"], "scoring_rubric": {"type": "regex", "pattern": "^2[.,]5$"}}
            {"id": "t2", "input": "Say anything."}

            """;
        using var file = new MemoryStream(Encoding.UTF8.GetBytes(jsonl));
        var items = DatasetImporter.Import(file, DatasetFormat.Jsonl);
        // What `benchmesh suite create --dataset` sends and prints (SuiteCreateCommand).
        var suite = new JsonObject
        {
            ["suite_name"] = "imported",
            ["benchmarks"] = new JsonArray(new JsonObject
            {
                ["name"] = "mixed",
                ["scoring_rubric"] = new JsonObject { ["type"] = "exact_match" },
                ["dataset"] = new JsonObject { ["items"] = SuiteItemJson.ToJsonArray(items) },
            }),
        };
        var printed = DatasetContentHash.Compute(items);

        await using var app = new SuitesApp(infrastructure, "content-hash");
        var response = await app.CreateClient().WithCaller().PostAsync("/suites", Json(suite.ToJsonString()));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        Assert.Equal(printed, (string)JsonNode.Parse(body)!["benchmarks"]![0]!["dataset"]!["content_hash"]!);
    }
}
