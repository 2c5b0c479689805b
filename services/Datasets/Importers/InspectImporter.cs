namespace BenchMesh.Datasets.Importers;

/// <summary>
/// Inspect AI samples in JSON lines: <c>input</c> (string or chat messages), <c>target</c> (string or list),
/// optional <c>id</c> (string or number) and <c>metadata</c> (not part of a BenchMesh item, so not imported).
/// </summary>
internal static class InspectImporter
{
    /// <summary>Sample fields that change what the sample means and that BenchMesh cannot honour.</summary>
    private static readonly IReadOnlyDictionary<string, string> Unsupported = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["choices"] = "multiple-choice samples are not supported (write the choices into the input and the letter into target)",
        ["files"] = "sandbox files are not supported",
        ["setup"] = "sandbox setup scripts are not supported",
        ["sandbox"] = "sandboxes are not supported",
    };

    public static IReadOnlyList<SuiteItem> Import(Stream stream, DatasetImportOptions options)
    {
        var items = new ItemCollector(options);
        foreach (var (line, record) in JsonLines.Read(stream))
        {
            foreach (var (field, reason) in Unsupported)
            {
                if (JsonValues.TryGet(record, field, out _))
                {
                    throw new DatasetFormatException(line, field, reason);
                }
            }

            var id = JsonValues.TryGet(record, "id", out var idValue) ? JsonValues.Id(idValue, line, "id") : items.DefaultId;
            var input = JsonValues.TryGet(record, "input", out var inputValue)
                ? JsonValues.Input(inputValue, line, "input")
                : throw new DatasetFormatException(line, "input", "is required");
            var (expected, accepted) = JsonValues.TryGet(record, "target", out var target)
                ? JsonValues.Answers(target, line, "target")
                : (null, null);
            items.Add(line, "id", new SuiteItem(id, input, expected, accepted));
        }

        return items.Items;
    }
}
