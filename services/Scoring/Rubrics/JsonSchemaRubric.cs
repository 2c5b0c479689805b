using System.Globalization;
using System.Text.Json;

namespace BenchMesh.Scoring.Rubrics;

/// <summary>
/// <c>json_schema</c>: the output parses as JSON and satisfies <c>schema</c>. A subset of JSON Schema is
/// implemented: <c>type</c> (one or a list), <c>required</c>, <c>properties</c>, <c>enum</c>, <c>items</c>,
/// <c>minimum</c>/<c>maximum</c>. Unknown keywords are ignored, as JSON Schema prescribes.
/// </summary>
public sealed class JsonSchemaRubric(JsonElement? schema) : IRubric
{
    public static JsonSchemaRubric From(JsonElement rubric) =>
        new(rubric.ValueKind == JsonValueKind.Object && rubric.TryGetProperty("schema", out var s) ? s.Clone() : null);

    public RubricResult Evaluate(string output, string? expected)
    {
        if (schema is not { } s)
        {
            return RubricResult.Unscored("json_schema needs a schema");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(output.Trim());
        }
        catch (JsonException)
        {
            return RubricResult.Fail("output is not valid JSON");
        }

        using (document)
        {
            var error = Validate(document.RootElement, s, "$");
            return error is null ? RubricResult.Pass("output satisfies the schema") : RubricResult.Fail(error);
        }
    }

    /// <summary>The first violation of <paramref name="schema"/> by <paramref name="value"/>, or null.</summary>
    public static string? Validate(JsonElement value, JsonElement schema, string path)
    {
        if (schema.ValueKind == JsonValueKind.False)
        {
            return $"{path}: not allowed";
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array
                ? type.EnumerateArray().Select(t => t.GetString() ?? "").ToList()
                : [type.GetString() ?? ""];
            if (!types.Any(t => HasType(value, t)))
            {
                return $"{path}: expected {string.Join(" or ", types)}, got {Describe(value)}";
            }
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            return $"{path}: value not in enum";
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            var number = value.GetDouble();
            if (schema.TryGetProperty("minimum", out var min) && min.ValueKind == JsonValueKind.Number && number < min.GetDouble())
            {
                return $"{path}: {number.ToString(CultureInfo.InvariantCulture)} is below the minimum {min.GetRawText()}";
            }

            if (schema.TryGetProperty("maximum", out var max) && max.ValueKind == JsonValueKind.Number && number > max.GetDouble())
            {
                return $"{path}: {number.ToString(CultureInfo.InvariantCulture)} is above the maximum {max.GetRawText()}";
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()).OfType<string>())
                {
                    if (!value.TryGetProperty(name, out _))
                    {
                        return $"{path}: missing required property '{name}'";
                    }
                }
            }

            if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in properties.EnumerateObject())
                {
                    if (value.TryGetProperty(property.Name, out var child)
                        && Validate(child, property.Value, $"{path}.{property.Name}") is { } error)
                    {
                        return error;
                    }
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (Validate(item, items, $"{path}[{index++}]") is { } error)
                {
                    return error;
                }
            }
        }

        return null;
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && Math.Floor(d) == d,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
