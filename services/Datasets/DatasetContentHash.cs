using System.Security.Cryptography;
using System.Text;

namespace BenchMesh.Datasets;

/// <summary>What of an item the dataset content hash covers: its id, input, and answers (not its rubric).</summary>
/// <param name="Id">The item's id.</param>
/// <param name="Input">The prompt, or the chat message list (role and content of each message).</param>
/// <param name="Expected">The expected answer, if any.</param>
/// <param name="AcceptedOutputs">Every acceptable answer, or null when none was listed.</param>
public sealed record DatasetContentItem(string Id, ItemInput Input, string? Expected, IReadOnlyList<string>? AcceptedOutputs);

/// <summary>
/// The content hash of a dataset (the suite API's <c>dataset.content_hash</c>, docs/api.md "Dataset content hash"):
/// SHA-256, lowercase hex, over the UTF-8 bytes of the items' canonical JSON. The one definition: the Suites service
/// stores it with each benchmark and the CLI prints it for the items it imports.
/// </summary>
/// <remarks>
/// The canonical form is a JSON array of the items in dataset order, without whitespace; each item is an object
/// with exactly the keys <c>id</c>, <c>input</c>, <c>expected</c>, <c>accepted_outputs</c> in this order;
/// <c>input</c> is a string, or for a chat item the array of <c>{"role","content"}</c> objects (keys in that
/// order); <c>expected</c> and <c>accepted_outputs</c> are null when absent. Strings are escaped as
/// <see cref="JsonText"/> does, which is what Python's
/// <c>json.dumps(items, ensure_ascii=False, separators=(",", ":"))</c> writes, so a client can check a dataset it
/// holds. Rubrics are scoring settings, not data, and are left out: the form has no numbers whose spelling could
/// differ between writers. The Suites service's 20261206144724_SuiteSpecificationModel migration computes the same
/// form in SQL for the datasets stored before hashes existed (a test holds the two equal).
/// </remarks>
public static class DatasetContentHash
{
    /// <summary>The items' content hash: 64 lowercase hex digits.</summary>
    /// <exception cref="ArgumentException">A string holds an unpaired surrogate (it has no UTF-8 form).</exception>
    public static string Compute(IEnumerable<DatasetContentItem> items) =>
        Convert.ToHexStringLower(SHA256.HashData(CanonicalJson(items)));

    /// <summary>The content hash of imported items (their rubrics are not part of it).</summary>
    public static string Compute(IEnumerable<SuiteItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Compute(items.Select(item => new DatasetContentItem(item.Id, item.Input, item.Expected, item.AcceptedOutputs)));
    }

    /// <summary>The items' canonical JSON as UTF-8 (what <see cref="Compute(IEnumerable{DatasetContentItem})"/> hashes).</summary>
    public static byte[] CanonicalJson(IEnumerable<DatasetContentItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var json = new StringBuilder("[");
        var first = true;
        foreach (var item in items)
        {
            json.Append(first ? "{\"id\":" : ",{\"id\":");
            first = false;
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

            json.Append(",\"expected\":");
            if (item.Expected is { } expected)
            {
                JsonText.AppendString(json, expected);
            }
            else
            {
                json.Append("null");
            }

            json.Append(",\"accepted_outputs\":");
            if (item.AcceptedOutputs is { } accepted)
            {
                JsonText.AppendStrings(json, accepted);
            }
            else
            {
                json.Append("null");
            }

            json.Append('}');
        }

        json.Append(']');
        return JsonText.StrictUtf8.GetBytes(json.ToString());
    }
}
