using System.Text.Json.Nodes;

namespace BenchMesh.Datasets.Tests;

public sealed class YamlJsonTests
{
    [Fact]
    public void Plain_scalars_are_typed_by_the_core_schema_and_quoted_ones_stay_strings()
    {
        var json = YamlJson.Parse(new StringReader("""
            suite_name: demo
            version: "1.0"
            numbers: [1, -2.5, 1e3, .5, 0x1F, 0o17]
            flags: [true, False, "true", !!str yes]
            nothing: ~
            empty:
            text: |
              two
              lines
            id: 0123e4
            """));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"suite_name": "demo", "version": "1.0", "numbers": [1, -2.5, 1000, 0.5, 31, 15],
             "flags": [true, false, "true", "yes"], "nothing": null, "empty": null, "text": "two\nlines\n", "id": 1230000}
            """), json), json.ToJsonString());
    }

    [Theory]
    [InlineData("a: 1\na: 2\n", "line 2")]
    [InlineData("a: [1, 2\n", "line ")]
    [InlineData("x: .inf\n", "line 1: '.inf' has no JSON form")]
    [InlineData("? [a, b]\n: 1\n", "line 1: a mapping key must be a plain string")]
    [InlineData("a: 1\n---\nb: 2\n", "line 3: the YAML file holds several documents; give one")]
    [InlineData("", "the YAML file is empty")]
    public void Yaml_that_json_cannot_represent_is_refused_with_its_line(string yaml, string expected)
    {
        var error = Assert.Throws<FormatException>(() => YamlJson.Parse(new StringReader(yaml)));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
