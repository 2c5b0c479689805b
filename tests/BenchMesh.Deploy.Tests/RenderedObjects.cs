using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace BenchMesh.Deploy.Tests;

/// <summary>Rendered manifests as JSON nodes (every scalar a string, as YAML gives them untyped).</summary>
public static class RenderedObjects
{
    public static IReadOnlyList<JsonObject> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var objects = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (ToJson(deserializer.Deserialize<object?>(parser)) is JsonObject o)
            {
                objects.Add(o);
            }
        }

        return objects;
    }

    public static string Kind(this JsonNode o) => (string?)o["kind"] ?? "";

    public static string Name(this JsonNode o) => (string?)o["metadata"]?["name"] ?? "";

    public static string Text(this JsonNode? node) => node is JsonValue v ? v.ToString() : "";

    public static IEnumerable<JsonNode> Items(this JsonNode? node) => node is JsonArray a ? a.OfType<JsonNode>() : [];

    public static IReadOnlyDictionary<string, string> Labels(this JsonNode? node) =>
        node is JsonObject o ? o.ToDictionary(p => p.Key, p => p.Value.Text(), StringComparer.Ordinal) : new Dictionary<string, string>();

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<object, object> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key.ToString()!, ToJson(p.Value)))),
        IEnumerable<object> list when value is not string => new JsonArray(list.Select(ToJson).ToArray()),
        _ => JsonValue.Create(value.ToString()),
    };
}
