using System.Globalization;
using System.Text;

namespace BenchMesh.Datasets;

/// <summary>JSON string literals with the minimal escaping that the content hash and the items' JSON share.</summary>
/// <remarks>
/// Only <c>"</c>, <c>\</c> and U+0000–U+001F are escaped (<c>\b \t \n \f \r</c> short, the others <c>\u00xx</c>
/// with lowercase hex), as RFC 8785 and Python's <c>json.dumps(..., ensure_ascii=False)</c> do; everything else,
/// non-ASCII included, is written as is. System.Text.Json's writer escapes more (non-ASCII, HTML characters), hence
/// a writer of our own.
/// </remarks>
internal static class JsonText
{
    /// <summary>UTF-8 without a byte order mark that throws on an unpaired surrogate instead of writing U+FFFD.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\t': json.Append("\\t"); break;
                case '\n': json.Append("\\n"); break;
                case '\f': json.Append("\\f"); break;
                case '\r': json.Append("\\r"); break;
                case < ' ': json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }

        json.Append('"');
    }

    public static void AppendMessages(StringBuilder json, IReadOnlyList<ChatMessage> messages)
    {
        json.Append('[');
        for (var i = 0; i < messages.Count; i++)
        {
            json.Append(i == 0 ? "{\"role\":" : ",{\"role\":");
            AppendString(json, messages[i].Role);
            json.Append(",\"content\":");
            AppendString(json, messages[i].Content);
            json.Append('}');
        }

        json.Append(']');
    }

    public static void AppendStrings(StringBuilder json, IReadOnlyList<string> values)
    {
        json.Append('[');
        for (var i = 0; i < values.Count; i++)
        {
            json.Append(i == 0 ? "" : ",");
            AppendString(json, values[i]);
        }

        json.Append(']');
    }
}
