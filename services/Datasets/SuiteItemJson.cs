using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BenchMesh.Datasets;

/// <summary>
/// Imported items as the suite API's JSON (<c>benchmarks[].dataset.items</c>), written the same way every time so
/// that the same items give the same text whichever format they came from (docs/datasets.md, "Items as JSON").
/// This is not the content hash's form: that is <see cref="DatasetContentHash"/>.
/// </summary>
/// <remarks>
/// Compact; each item's properties in the order id, input, expected, accepted_outputs, scoring_rubric with nulls
/// left out; a message list's messages as {role, content}; the rubric's object keys sorted ordinally at every depth
/// (promptfoo and JSONL rubrics are built in different orders), numbers as written; strings escaped as
/// <see cref="JsonText"/> does.
/// </remarks>
public static class SuiteItemJson
{
    /// <summary>The items' JSON text.</summary>
    /// <exception cref="ArgumentException">A string holds an unpaired surrogate (it has no UTF-8 form).</exception>
    public static string ToJsonString(IEnumerable<SuiteItem> items)
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
        var text = json.ToString();
        // Reject what has no UTF-8 form here rather than wherever the text is sent.
        _ = JsonText.StrictUtf8.GetByteCount(text);
        return text;
    }

    /// <summary>The items as a JSON array (for a suite request).</summary>
    public static JsonArray ToJsonArray(IEnumerable<SuiteItem> items) => JsonNode.Parse(ToJsonString(items))!.AsArray();

    private static void WriteItem(StringBuilder json, SuiteItem item)
    {
        json.Append("{\"id\":");
        JsonText.AppendString(json, item.Id);
        json.Append(",\"input\":");
        if (item.Input.Messages is { } messages)
        {
            JsonText.AppendMessages(json, messages);
        }
        else
        {
            JsonText.AppendString(json, item.Input.Text!);
        }

        if (item.Expected is { } expected)
        {
            json.Append(",\"expected\":");
            JsonText.AppendString(json, expected);
        }

        if (item.AcceptedOutputs is { } accepted)
        {
            json.Append(",\"accepted_outputs\":");
            JsonText.AppendStrings(json, accepted);
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
                    JsonText.AppendString(json, name);
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
                if (value.GetValueKind() == JsonValueKind.String)
                {
                    JsonText.AppendString(json, value.GetValue<string>());
                }
                else
                {
                    // Numbers as written (parsed values keep their text), true, false.
                    json.Append(value.ToJsonString());
                }

                break;
        }
    }
}
