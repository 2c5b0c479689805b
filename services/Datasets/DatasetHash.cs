using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BenchMesh.Datasets;

/// <summary>
/// The content hash of a dataset: SHA-256 over the canonical JSON of its items (docs/datasets.md), so that two
/// suites, runs or results can tell whether they used the same data. The Suites service stores it with each dataset.
/// </summary>
/// <remarks>
/// Canonical JSON: the items array, compact (no whitespace), each item's properties in the fixed order id, input,
/// expected, accepted_outputs, scoring_rubric with nulls left out; a message list's messages as {role, content};
/// the rubric's object keys sorted ordinally at every depth, numbers as written; strings escaped only where JSON
/// requires it (quote, backslash, and U+0000–U+001F as \b \t \n \f \r or \u00xx with lowercase hex); UTF-8 without a
/// byte order mark. System.Text.Json's writer escapes more (non-ASCII, HTML characters), hence a writer of our own.
/// </remarks>
public static class DatasetHash
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The dataset's content hash: <c>sha256:</c> and 64 lowercase hex digits.</summary>
    /// <exception cref="ArgumentException">A string holds an unpaired surrogate (it has no UTF-8 form).</exception>
    public static string Compute(IEnumerable<SuiteItem> items) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(CanonicalJson(items)));

    /// <summary>The canonical JSON of the items, as UTF-8 (what <see cref="Compute"/> hashes).</summary>
    public static byte[] CanonicalJson(IEnumerable<SuiteItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var json = new StringBuilder();
        json.Append('[');
        var first = true;
        foreach (var item in items)
        {
            json.Append(first ? "" : ",");
            first = false;
            WriteItem(json, item);
        }

        json.Append(']');
        return StrictUtf8.GetBytes(json.ToString());
    }

    /// <summary>The items as a JSON array in canonical form (for a suite request).</summary>
    public static JsonArray ToJsonArray(IEnumerable<SuiteItem> items) => JsonNode.Parse(CanonicalJson(items))!.AsArray();

    private static void WriteItem(StringBuilder json, SuiteItem item)
    {
        json.Append("{\"id\":");
        WriteString(json, item.Id);
        json.Append(",\"input\":");
        if (item.Input.Messages is { } messages)
        {
            json.Append('[');
            for (var i = 0; i < messages.Count; i++)
            {
                json.Append(i == 0 ? "{\"role\":" : ",{\"role\":");
                WriteString(json, messages[i].Role);
                json.Append(",\"content\":");
                WriteString(json, messages[i].Content);
                json.Append('}');
            }

            json.Append(']');
        }
        else
        {
            WriteString(json, item.Input.Text!);
        }

        if (item.Expected is { } expected)
        {
            json.Append(",\"expected\":");
            WriteString(json, expected);
        }

        if (item.AcceptedOutputs is { } accepted)
        {
            json.Append(",\"accepted_outputs\":[");
            for (var i = 0; i < accepted.Count; i++)
            {
                json.Append(i == 0 ? "" : ",");
                WriteString(json, accepted[i]);
            }

            json.Append(']');
        }

        if (item.ScoringRubric is { } rubric)
        {
            json.Append(",\"scoring_rubric\":");
            WriteNode(json, rubric);
        }

        json.Append('}');
    }

    private static void WriteNode(StringBuilder json, JsonNode? node)
    {
        switch (node)
        {
            case null:
                json.Append("null");
                break;
            case JsonObject obj:
                json.Append('{');
                var first = true;
                foreach (var (name, member) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.Append(first ? "" : ",");
                    first = false;
                    WriteString(json, name);
                    json.Append(':');
                    WriteNode(json, member);
                }

                json.Append('}');
                break;
            case JsonArray array:
                json.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    json.Append(i == 0 ? "" : ",");
                    WriteNode(json, array[i]);
                }

                json.Append(']');
                break;
            default:
                var value = node.AsValue();
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        WriteString(json, value.GetValue<string>());
                        break;
                    default:
                        // Numbers as written (parsed values keep their text), true, false.
                        json.Append(value.ToJsonString());
                        break;
                }

                break;
        }
    }

    private static void WriteString(StringBuilder json, string value)
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
}
