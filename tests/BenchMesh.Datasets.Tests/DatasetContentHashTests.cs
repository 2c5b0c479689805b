using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace BenchMesh.Datasets.Tests;

public sealed class DatasetContentHashTests
{
    [Fact]
    public void The_canonical_form_has_every_key_with_nulls_and_minimal_escapes_and_no_rubric()
    {
        SuiteItem[] items =
        [
            new("q1", "Grüße, \"Welt\" <b>&</b> 😀\t\u0001", Expected: "5", ScoringRubric: new JsonObject { ["type"] = "regex", ["pattern"] = "^\\d+$" }),
            new("q2", ItemInput.FromMessages([new("system", "Be brief."), new("user", "Hi")]), AcceptedOutputs: ["a", "b"]),
        ];

        var canonical = Encoding.UTF8.GetString(DatasetContentHash.CanonicalJson(items.Select(i => new DatasetContentItem(i.Id, i.Input, i.Expected, i.AcceptedOutputs))));

        Assert.Equal(
            "[{\"id\":\"q1\",\"input\":\"Grüße, \\\"Welt\\\" <b>&</b> 😀\\t\\u0001\",\"expected\":\"5\",\"accepted_outputs\":null}," +
            "{\"id\":\"q2\",\"input\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}],\"expected\":null,\"accepted_outputs\":[\"a\",\"b\"]}]",
            canonical);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), DatasetContentHash.Compute(items));
        // Computed apart with Python, as docs/api.md gives it:
        // hashlib.sha256(json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
        Assert.Equal("dbd74a58e7d9a9ac0bab44acd16c0b4632368a3592c92bb1dc1a035fd0634c40", DatasetContentHash.Compute(items));
    }

    [Fact]
    public void The_hash_of_no_items_is_the_hash_of_an_empty_array()
    {
        Assert.Equal("4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945", DatasetContentHash.Compute(Array.Empty<SuiteItem>()));
    }

    [Fact]
    public void Any_change_of_content_or_order_changes_the_hash_and_a_rubric_does_not()
    {
        SuiteItem a = new("a", "x", "1");
        SuiteItem b = new("b", "y", "2");

        var hashes = new[]
        {
            DatasetContentHash.Compute([a, b]),
            DatasetContentHash.Compute([b, a]),
            DatasetContentHash.Compute([a with { Expected = "1 " }, b]),
            DatasetContentHash.Compute([a with { Expected = null }, b]),
            DatasetContentHash.Compute([a with { AcceptedOutputs = ["1", "one"] }, b]),
            DatasetContentHash.Compute([a with { Input = ItemInput.FromMessages([new("user", "x")]) }, b]),
        };

        Assert.Equal(hashes.Length, hashes.Distinct().Count());
        Assert.Equal(hashes[0], DatasetContentHash.Compute([new SuiteItem("a", "x", "1"), new SuiteItem("b", "y", "2")]));
        Assert.Equal(hashes[0], DatasetContentHash.Compute([a with { ScoringRubric = new JsonObject { ["type"] = "includes" } }, b]));
    }

    [Fact]
    public void A_string_without_a_utf8_form_is_an_argument_error()
    {
        Assert.ThrowsAny<ArgumentException>(() => DatasetContentHash.Compute([new SuiteItem("a", "\ud800")]));
    }
}
