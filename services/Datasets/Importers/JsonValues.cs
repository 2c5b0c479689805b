using System.Text.Json;
using System.Text.Json.Nodes;

namespace BenchMesh.Datasets.Importers;

/// <summary>Reads the parts of an item from JSON values, with errors that name the line and the field.</summary>
internal static class JsonValues
{
    /// <summary>A string, or the JSON text of a number or boolean (an answer of 5 is "5"); null for other kinds.</summary>
    public static string? Scalar(JsonElement value, int line, string field) => value.ValueKind switch
    {
        JsonValueKind.String => String(value, line, field),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>A property that is present and not null.</summary>
    public static bool TryGet(JsonElement record, string name, out JsonElement value) =>
        record.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    public static string Id(JsonElement value, int line, string field)
    {
        var id = value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? Scalar(value, line, field) : null;
        return id is null
            ? throw new DatasetFormatException(line, field, "must be a string or a number")
            : Text.NonEmpty(id, line, field);
    }

    /// <summary>A prompt (string) or a chat message list (<c>[{"role": …, "content": …}]</c>).</summary>
    public static ItemInput Input(JsonElement value, int line, string field)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return ItemInput.FromText(Text.NonEmpty(String(value, line, field), line, field));
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                var messages = new List<ChatMessage>();
                foreach (var (message, i) in value.EnumerateArray().Select((m, i) => (m, i)))
                {
                    var path = $"{field}[{i}]";
                    if (message.ValueKind != JsonValueKind.Object)
                    {
                        throw new DatasetFormatException(line, path, "must be a chat message object with 'role' and 'content'");
                    }

                    messages.Add(new ChatMessage(
                        Text.NonEmpty(RequiredString(message, "role", line, path), line, $"{path}.role"),
                        Text.Valid(RequiredString(message, "content", line, path), line, $"{path}.content")));
                }

                return ItemInput.FromMessages(messages);
            default:
                throw new DatasetFormatException(line, field, "must be a non-empty string or a non-empty list of chat messages");
        }
    }

    /// <summary>
    /// One answer or a list of acceptable ones: the first is the expected answer, and a list of two or more is also the
    /// accepted outputs.
    /// </summary>
    public static (string? Expected, IReadOnlyList<string>? Accepted) Answers(JsonElement value, int line, string field)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            var single = Scalar(value, line, field) ?? throw new DatasetFormatException(line, field, "must be a string or a list of strings");
            return (Text.Valid(single, line, field), null);
        }

        var answers = Strings(value, line, field);
        return answers.Count switch
        {
            0 => throw new DatasetFormatException(line, field, "must not be an empty list"),
            1 => (answers[0], null),
            _ => (answers[0], answers),
        };
    }

    public static IReadOnlyList<string> Strings(JsonElement value, int line, string field)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new DatasetFormatException(line, field, "must be a list of strings");
        }

        return [.. value.EnumerateArray().Select((element, i) => Text.Valid(
            Scalar(element, line, $"{field}[{i}]") ?? throw new DatasetFormatException(line, $"{field}[{i}]", "must be a string"), line, $"{field}[{i}]"))];
    }

    public static JsonObject Rubric(JsonElement value, int line, string field) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? JsonNode.Parse(value.GetRawText())!.AsObject()
            : throw new DatasetFormatException(line, field, "must be a rubric object with a 'type'");

    /// <summary>Parses a CSV cell that holds JSON (accepted outputs, a rubric).</summary>
    public static JsonElement ParseCell(string text, int line, string field)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new DatasetFormatException(line, field, "must hold JSON");
        }
    }

    /// <summary>A JSON string's value; an escaped lone surrogate (<c>"\ud800"</c>) has none and is an error.</summary>
    public static string String(JsonElement value, int line, string field)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new DatasetFormatException(line, field, "contains an unpaired surrogate");
        }
    }

    private static string RequiredString(JsonElement record, string name, int line, string path) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? String(value, line, $"{path}.{name}")
            : throw new DatasetFormatException(line, $"{path}.{name}", name == "content"
                ? "must be a string (only text content is supported)"
                : "must be a string");
}

/// <summary>Checks on text the suite API would refuse anyway, reported here with the line.</summary>
internal static class Text
{
    public static string NonEmpty(string value, int line, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new DatasetFormatException(line, field, "must not be empty") : Valid(value, line, field);

    /// <summary>NUL characters and unpaired surrogates have no place in stored text (and no UTF-8 form, for the latter).</summary>
    public static string Valid(string value, int line, string field)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                throw new DatasetFormatException(line, field, "contains a NUL character");
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new DatasetFormatException(line, field, "contains an unpaired surrogate");
            }
        }

        return value;
    }
}
