using System.Text.Json;
using System.Text.Json.Serialization;

namespace BenchMesh.ServiceDefaults;

/// <summary>
/// How the public API reads request bodies: a field the request does not define, or one given twice, is an error (not
/// silently dropped, which hid typos such as <c>time_limit</c> for <c>time_limit_ms</c>), and no string anywhere in a body, free-form
/// JSON included (<c>model_configuration</c>, <c>metadata</c>, rubrics), may hold a NUL character or an unpaired
/// surrogate. PostgreSQL cannot store either in <c>text</c> or <c>jsonb</c>, so without this check they reached the
/// database and answered 500. Each violation is a <see cref="JsonException"/> whose path the exception handler turns
/// into a field error.
/// </summary>
public static class StrictRequestJson
{
    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        // {"name":"a","name":"b"} would otherwise be read as "b" without a word.
        options.AllowDuplicateProperties = false;
        options.Converters.Add(new TextConverter());
        options.Converters.Add(new JsonElementConverter());
        return options;
    }

    /// <summary>Why <paramref name="text"/> cannot be stored, or null when it can.</summary>
    public static string? Problem(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return "must not contain NUL characters (\\u0000).";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return NotUnicode;
            }
        }

        return null;
    }

    private const string NotUnicode = "must be valid Unicode text: no invalid UTF-8 bytes and no unpaired surrogates (e.g. a lone \\ud800).";

    /// <summary>A string or property name the API refuses; its message is the field error shown to the client.</summary>
    public sealed class InvalidTextException(string message) : JsonException(message);

    private static string Read(ref Utf8JsonReader reader)
    {
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // The reader refuses text that is not valid UTF-8, or escapes that are not valid UTF-16 (a lone "\ud800"),
            // when it turns them into a string.
            throw new InvalidTextException(NotUnicode);
        }

        return Problem(text) is { } problem ? throw new InvalidTextException(problem) : text;
    }

    private sealed class TextConverter : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? StrictRequestJson.Read(ref reader)
                // Thrown here, the serializer would report the type of the object that holds the property.
                : throw new InvalidTextException("must be a string.");

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            StrictRequestJson.Read(ref reader);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value);
    }

    /// <summary>Free-form JSON: checked all the way down, because it is stored as jsonb.</summary>
    private sealed class JsonElementConverter : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var element = JsonElement.ParseValue(ref reader);
            string? problem;
            try
            {
                problem = Check(element, "");
            }
            catch (InvalidOperationException)
            {
                problem = NotUnicode; // see Read: GetString on invalid UTF-8 or a lone surrogate escape
            }

            return problem is null ? element : throw new InvalidTextException(problem);
        }

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);

        private static string? Check(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    return Problem(element.GetString()!) is { } p ? Where(path, p) : null;
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        if (Check(item, $"{path}[{i++}]") is { } problem)
                        {
                            return problem;
                        }
                    }

                    return null;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                        if ((Problem(property.Name) is { } name ? Where(at, "property name " + name) : Check(property.Value, at)) is { } problem)
                        {
                            return problem;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }

        private static string Where(string path, string problem) => path.Length == 0 ? problem : $"{problem} (at {path})";
    }
}
