using System.Text.Json.Nodes;

namespace BenchMesh.Datasets.Tests;

public sealed class SuiteItemJsonTests
{
    [Fact]
    public void Items_are_fixed_order_compact_json_without_nulls_with_sorted_rubric_keys_and_minimal_escapes()
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

        var json = SuiteItemJson.ToJsonString(items);

        Assert.Equal(
            "[{\"id\":\"q1\",\"input\":\"Grüße, \\\"Welt\\\" <b>&</b> 😀\\t\\u0001\",\"expected\":\"5\"," +
            "\"scoring_rubric\":{\"case_sensitive\":false,\"nested\":{\"a\":[2,null,\"x\"],\"z\":1.50},\"pattern\":\"^\\\\d+$\",\"type\":\"regex\"}}," +
            "{\"id\":\"q2\",\"input\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}],\"accepted_outputs\":[\"a\",\"b\"]}]",
            json);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), SuiteItemJson.ToJsonArray(items)));
    }
}
