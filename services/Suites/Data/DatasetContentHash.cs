using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace BenchMesh.Suites.Data;

/// <summary>
/// The content hash of a dataset (<c>dataset.content_hash</c>): SHA-256, lowercase hex, over the UTF-8 bytes of the
/// items' canonical JSON (docs/api.md, "Dataset content hash").
/// </summary>
/// <remarks>
/// The canonical form is a JSON array of the items in dataset order, without whitespace; each item is an object
/// with exactly the keys <c>id</c>, <c>input</c>, <c>expected</c>, <c>accepted_outputs</c> in this order;
/// <c>input</c> is a string, or for a chat item the array of <c>{"role","content"}</c> objects (keys in that
/// order); <c>expected</c> and <c>accepted_outputs</c> are null when absent. Strings are escaped as RFC 8785 does
/// (only <c>"</c>, <c>\</c> and U+0000–U+001F; <c>\b \t \n \f \r</c> short, the others <c>\u00xx</c>), which is
/// what Python's <c>json.dumps(items, ensure_ascii=False, separators=(",", ":"))</c> writes, so a client can
/// check a dataset it holds. Rubrics are scoring settings, not data, and are left out: the form has no numbers
/// whose spelling could differ between writers. The 20261206144724_SuiteSpecificationModel migration computes
/// the same form in SQL for the datasets stored before hashes existed.
/// </remarks>
public static class DatasetContentHash
{
    public static string Compute(IEnumerable<DatasetItem> items)
    {
        var json = new StringBuilder("[");
        var first = true;
        foreach (var item in items)
        {
            json.Append(first ? "{\"id\":" : ",{\"id\":");
            first = false;
            AppendString(json, item.ItemId);
            json.Append(",\"input\":");
            if (item.MessagesJson is null)
            {
                AppendString(json, item.Input);
            }
            else
            {
                AppendMessages(json, item.MessagesJson);
            }

            json.Append(",\"expected\":");
            AppendNullableString(json, item.Expected);
            json.Append(",\"accepted_outputs\":");
            if (item.AcceptedOutputs is null)
            {
                json.Append("null");
            }
            else
            {
                json.Append('[');
                for (var i = 0; i < item.AcceptedOutputs.Count; i++)
                {
                    if (i > 0)
                    {
                        json.Append(',');
                    }

                    AppendString(json, item.AcceptedOutputs[i]);
                }

                json.Append(']');
            }

            json.Append('}');
        }

        json.Append(']');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json.ToString())));
    }

    private static void AppendMessages(StringBuilder json, string messagesJson)
    {
        using var document = JsonDocument.Parse(messagesJson);
        json.Append('[');
        var first = true;
        foreach (var message in document.RootElement.EnumerateArray())
        {
            json.Append(first ? "{\"role\":" : ",{\"role\":");
            first = false;
            AppendString(json, message.GetProperty("role").GetString()!);
            json.Append(",\"content\":");
            AppendString(json, message.GetProperty("content").GetString()!);
            json.Append('}');
        }

        json.Append(']');
    }

    private static void AppendNullableString(StringBuilder json, string? value)
    {
        if (value is null)
        {
            json.Append("null");
        }
        else
        {
            AppendString(json, value);
        }
    }

    private static void AppendString(StringBuilder json, string value)
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
