using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BenchMesh.Datasets.Importers;

/// <summary>
/// promptfoo test cases in JSON lines (<c>{"vars": {…}, "assert": [{"type": …, "value": …}]}</c>), or in YAML
/// (a list of tests, or a configuration's <c>tests</c> list, see <see cref="PromptfooYaml"/>). The input is the
/// template filled from <c>vars</c>, else the var the mapping names as input, else the only var. The one assertion a
/// test may have becomes the expected answer and the item's rubric: <c>equals</c> → exact_match (case-sensitive),
/// <c>contains</c> → includes (case-sensitive), <c>icontains</c> → includes, <c>regex</c> → regex, <c>is-json</c> →
/// json_schema (its value, if any, is the schema). Any other assertion is an error that names it.
/// </summary>
internal static partial class PromptfooImporter
{
    public static readonly IReadOnlyList<string> SupportedAssertions = ["equals", "contains", "icontains", "regex", "is-json"];

    public static IReadOnlyList<SuiteItem> Import(Stream stream, DatasetImportOptions options)
    {
        var mapping = options.Mapping;
        foreach (var key in new[] { FieldMapping.ExpectedKey, FieldMapping.AcceptedOutputsKey, FieldMapping.ScoringRubricKey })
        {
            if (mapping.Explicit(key) is not null)
            {
                throw new DatasetFormatException($"mapping: promptfoo tests map only 'input' and 'id' to vars, not '{key}' (the expected answer comes from assert)");
            }
        }

        if (options.Template is { } template)
        {
            CheckTemplate(template);
            if (mapping.Input is not null)
            {
                throw new DatasetFormatException("give either a template or an input var (input=<var>), not both");
            }
        }

        var bytes = JsonLines.ReadAll(stream);
        var tests = IsJsonLines(bytes) ? JsonLines.Read(bytes) : PromptfooYaml.Read(bytes, ref options);
        var items = new ItemCollector(options);
        foreach (var (line, test) in tests)
        {
            var vars = JsonValues.TryGet(test, "vars", out var varsValue) ? varsValue : default;
            if (vars.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
            {
                throw new DatasetFormatException(line, "vars", "must be an object");
            }

            var id = mapping.Id is { } idVar ? JsonValues.Id(Var(vars, idVar, line), line, $"vars.{idVar}") : items.DefaultId;
            var input = options.Template is { } t ? Fill(t, vars, line) : InputVar(vars, mapping.Input, line);
            var (expected, rubric) = JsonValues.TryGet(test, "assert", out var asserts) ? Assertion(asserts, line) : (null, null);
            items.Add(line, mapping.Id is null ? "id" : $"vars.{mapping.Id}", new SuiteItem(
                id, ItemInput.FromText(Text.NonEmpty(input, line, "input")), expected, null, rubric));
        }

        return items.Items;
    }

    private static string InputVar(JsonElement vars, string? mapped, int line)
    {
        if (mapped is not null)
        {
            return VarText(Var(vars, mapped, line), line, mapped);
        }

        var names = vars.ValueKind == JsonValueKind.Object ? vars.EnumerateObject().Select(p => p.Name).ToList() : [];
        return names.Count == 1
            ? VarText(vars.GetProperty(names[0]), line, names[0])
            : throw new DatasetFormatException(line, "vars", names.Count == 0
                ? "no vars to make the input of"
                : "several vars: give a template or map the input to one of them (input=<var>)");
    }

    private static string Fill(string template, JsonElement vars, int line) =>
        Placeholder().Replace(template, match => VarText(Var(vars, match.Groups[1].Value, line), line, match.Groups[1].Value));

    private static JsonElement Var(JsonElement vars, string name, int line) =>
        vars.ValueKind == JsonValueKind.Object && JsonValues.TryGet(vars, name, out var value)
            ? value
            : throw new DatasetFormatException(line, $"vars.{name}", "is missing");

    /// <summary>A var's text: strings as they are, numbers and booleans as JSON text, objects as compact JSON.</summary>
    private static string VarText(JsonElement value, int line, string name)
    {
        var field = $"vars.{name}";
        return value.ValueKind switch
        {
            JsonValueKind.Array => throw new DatasetFormatException(line, field, "a list of values (promptfoo runs one test per value) is not supported"),
            JsonValueKind.Object => value.GetRawText(),
            JsonValueKind.String when JsonValues.String(value, line, field).StartsWith("file://", StringComparison.Ordinal) =>
                throw new DatasetFormatException(line, field, "file:// references are not supported (inline the content)"),
            _ => Text.Valid(JsonValues.Scalar(value, line, field)!, line, field),
        };
    }

    private static (string? Expected, JsonObject? Rubric) Assertion(JsonElement asserts, int line)
    {
        if (asserts.ValueKind != JsonValueKind.Array)
        {
            throw new DatasetFormatException(line, "assert", "must be a list of assertions");
        }

        var count = asserts.GetArrayLength();
        if (count == 0)
        {
            return (null, null);
        }

        if (count > 1)
        {
            throw new DatasetFormatException(line, "assert", $"{count} assertions: BenchMesh scores an item with one rubric, so a test may have one");
        }

        const string path = "assert[0]";
        var assertion = asserts[0];
        if (assertion.ValueKind != JsonValueKind.Object || !assertion.TryGetProperty("type", out var typeValue) || typeValue.ValueKind != JsonValueKind.String)
        {
            throw new DatasetFormatException(line, $"{path}.type", "is required");
        }

        if (JsonValues.TryGet(assertion, "transform", out _))
        {
            throw new DatasetFormatException(line, $"{path}.transform", "transforms are not supported");
        }

        var type = typeValue.GetString()!;
        var value = JsonValues.TryGet(assertion, "value", out var v) ? v : default;
        string Value() => Text.NonEmpty(
            (value.ValueKind == JsonValueKind.Undefined ? null : JsonValues.Scalar(value, line, $"{path}.value"))
                ?? throw new DatasetFormatException(line, $"{path}.value", $"'{type}' needs a string value"),
            line, $"{path}.value");

        return type switch
        {
            "equals" => (Value(), new JsonObject { ["type"] = "exact_match", ["case_sensitive"] = true }),
            "contains" => (Value(), new JsonObject { ["type"] = "includes", ["case_sensitive"] = true }),
            "icontains" => (Value(), new JsonObject { ["type"] = "includes" }),
            "regex" => (null, new JsonObject { ["type"] = "regex", ["pattern"] = Value() }),
            "is-json" => (null, new JsonObject
            {
                ["type"] = "json_schema",
                ["schema"] = value.ValueKind switch
                {
                    JsonValueKind.Undefined => new JsonObject(),
                    JsonValueKind.Object => JsonNode.Parse(value.GetRawText()),
                    _ => throw new DatasetFormatException(line, $"{path}.value", "must be an inline JSON schema object"),
                },
            }),
            _ => throw new DatasetFormatException(line, $"{path}.type",
                $"'{type}' is not supported (supported: {string.Join(", ", SupportedAssertions)})"),
        };
    }

    /// <summary>JSON lines when the first non-blank line is one JSON object (<c>{…}</c>); else a YAML (or JSON) document.</summary>
    private static bool IsJsonLines(byte[] bytes)
    {
        var text = System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        var first = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return first is null || (first.StartsWith('{') && first.EndsWith('}'));
    }

    internal static void CheckTemplate(string template)
    {
        var rest = Placeholder().Replace(template, "");
        var bad = Tag().Match(rest);
        if (bad.Success)
        {
            throw new DatasetFormatException($"template: only {{{{var}}}} placeholders are supported, not '{bad.Value}'");
        }
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\{\{.*?(\}\}|$)|\{%.*?(%\}|$)", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Tag();
}
