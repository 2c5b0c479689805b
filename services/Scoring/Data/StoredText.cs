using System.Text.Json;
using System.Text.Json.Nodes;

namespace BenchMesh.Scoring.Data;

/// <summary>Text as PostgreSQL can store it.</summary>
public static class StoredText
{
    /// <summary>
    /// Removes NUL characters, which PostgreSQL's text type rejects. Agents' outputs and errors are arbitrary text: one
    /// NUL would otherwise fail the whole execution's write on every redelivery and the run would never complete.
    /// </summary>
    public static string? WithoutNul(string? text) =>
        text is null || !text.Contains('\0', StringComparison.Ordinal) ? text : text.Replace("\0", "", StringComparison.Ordinal);

    /// <summary>
    /// JSON as a <c>jsonb</c> column can hold it: null when it does not parse (a message's free-form JSON must never
    /// fail the write), and without NUL characters in strings or names, which <c>jsonb</c> rejects even escaped.
    /// </summary>
    public static string? Json(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return Json(JsonNode.Parse(json));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <inheritdoc cref="Json(string?)"/>
    public static string? Json(JsonNode? node)
    {
        try
        {
            return node is null ? null : WithoutNul(node).ToJsonString();
        }
        catch (ArgumentException)
        {
            // Two names that differ only by NUL characters collide once those are removed.
            return null;
        }
    }

    private static JsonNode WithoutNul(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(WithoutNul(p.Key)!, p.Value is null ? null : WithoutNul(p.Value)))),
        JsonArray a => new JsonArray(a.Select(v => v is null ? null : WithoutNul(v)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(WithoutNul(s))!,
        _ => node.DeepClone(),
    };
}
