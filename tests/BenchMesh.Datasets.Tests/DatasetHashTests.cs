using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace BenchMesh.Datasets.Tests;

public sealed class DatasetHashTests
{
    [Fact]
    public void The_canonical_form_is_fixed_order_compact_json_without_nulls_and_minimal_escapes()
    {
        SuiteItem[] items =
        [
            new("q1", "Grüße, \"Welt\" <b>&</b> 😀\t\u0001", Expected: "5", ScoringRubric: new JsonObject
            {
                ["type"] = "regex",
                ["pattern"] = "^\\d+$",
                ["case_sensitive"] = false,
                ["nested"] = new JsonObject { ["z"] = 1.50m, ["a"] = new JsonArray(2, null, "x") },
            }),
            new("q2", ItemInput.FromMessages([new("system", "Be brief."), new("user", "Hi")]), AcceptedOutputs: ["a", "b"]),
        ];

        var canonical = Encoding.UTF8.GetString(DatasetHash.CanonicalJson(items));

        Assert.Equal(
            "[{\"id\":\"q1\",\"input\":\"Grüße, \\\"Welt\\\" <b>&</b> 😀\\t\\u0001\",\"expected\":\"5\"," +
            "\"scoring_rubric\":{\"case_sensitive\":false,\"nested\":{\"a\":[2,null,\"x\"],\"z\":1.50},\"pattern\":\"^\\\\d+$\",\"type\":\"regex\"}}," +
            "{\"id\":\"q2\",\"input\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}],\"accepted_outputs\":[\"a\",\"b\"]}]",
            canonical);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), DatasetHash.Compute(items));
    }

    [Fact]
    public void The_hash_of_no_items_is_the_hash_of_an_empty_array()
    {
        Assert.Equal("sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945", DatasetHash.Compute([]));
    }

    [Fact]
    public void Any_change_of_content_or_order_changes_the_hash()
    {
        SuiteItem a = new("a", "x", "1");
        SuiteItem b = new("b", "y", "2");

        var hashes = new[]
        {
            DatasetHash.Compute([a, b]),
            DatasetHash.Compute([b, a]),
            DatasetHash.Compute([a with { Expected = "1 " }, b]),
            DatasetHash.Compute([a with { AcceptedOutputs = ["1", "one"] }, b]),
            DatasetHash.Compute([a with { Input = ItemInput.FromMessages([new("user", "x")]) }, b]),
        };

        Assert.Equal(hashes.Length, hashes.Distinct().Count());
        Assert.Equal(hashes[0], DatasetHash.Compute([new("a", "x", "1"), new("b", "y", "2")]));
    }
}
