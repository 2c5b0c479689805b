using System.Text.Json;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.Suites.Validation;

/// <summary>
/// Checks the keywords of a <c>json_schema</c> rubric's schema that Scoring applies (docs/scoring.md: <c>type</c>,
/// <c>required</c>, <c>properties</c>, <c>enum</c>, <c>items</c>, <c>minimum</c>, <c>maximum</c>), in every nested
/// schema. A keyword of the wrong type would make every output unscorable, so it is a field error when the suite is
/// created. Other keywords are ignored, as JSON Schema prescribes for unknown ones.
/// </summary>
public static class JsonSchemaKeywords
{
    public static readonly IReadOnlyList<string> Types = ["object", "array", "string", "number", "integer", "boolean", "null"];

    /// <summary>Field errors of <paramref name="schema"/> at <paramref name="path"/> (e.g. <c>….schema.properties.age.minimum</c>).</summary>
    public static void Validate(JsonElement schema, string path, ValidationErrors errors)
    {
        // true and false are schemas too (anything / nothing); Scoring applies them.
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be a schema (a JSON object, or true or false).");
            return;
        }

        if (schema.TryGetProperty("type", out var type))
        {
            ValidateType(type, $"{path}.type", errors);
        }

        if (schema.TryGetProperty("required", out var required)
            && (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String)))
        {
            errors.Add($"{path}.required", "must be an array of property names (strings).");
        }

        if (schema.TryGetProperty("properties", out var properties))
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path}.properties", "must be a JSON object of schemas, one per property name.");
            }
            else
            {
                foreach (var property in properties.EnumerateObject())
                {
                    Validate(property.Value, $"{path}.properties.{property.Name}", errors);
                }
            }
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{path}.enum", "must be an array of the allowed values.");
        }

        if (schema.TryGetProperty("items", out var items))
        {
            Validate(items, $"{path}.items", errors);
        }

        foreach (var bound in new[] { "minimum", "maximum" })
        {
            if (schema.TryGetProperty(bound, out var value) && value.ValueKind != JsonValueKind.Number)
            {
                errors.Add($"{path}.{bound}", "must be a number.");
            }
        }
    }

    private static void ValidateType(JsonElement type, string path, ValidationErrors errors)
    {
        var valid = type.ValueKind switch
        {
            JsonValueKind.String => Types.Contains(type.GetString()),
            JsonValueKind.Array => type.GetArrayLength() > 0
                                   && type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String && Types.Contains(t.GetString())),
            _ => false,
        };
        if (!valid)
        {
            errors.Add(path, $"must be one of {string.Join(", ", Types)}, or a non-empty array of them.");
        }
    }
}
