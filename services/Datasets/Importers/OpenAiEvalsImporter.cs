namespace BenchMesh.Datasets.Importers;

/// <summary>
/// OpenAI Evals samples (<c>evals/registry/data/*/samples.jsonl</c>): <c>input</c> is a chat message list (or a
/// string), <c>ideal</c> the answer or a list of acceptable answers. Other keys (those of model-graded templates)
/// are ignored; the samples carry no ids, so ids are <c>line-&lt;n&gt;</c>.
/// </summary>
internal static class OpenAiEvalsImporter
{
    public static IReadOnlyList<SuiteItem> Import(Stream stream, DatasetImportOptions options)
    {
        var items = new ItemCollector(options);
        foreach (var (line, record) in JsonLines.Read(stream))
        {
            var input = JsonValues.TryGet(record, "input", out var inputValue)
                ? JsonValues.Input(inputValue, line, "input")
                : throw new DatasetFormatException(line, "input", "is required");
            var (expected, accepted) = JsonValues.TryGet(record, "ideal", out var ideal)
                ? JsonValues.Answers(ideal, line, "ideal")
                : (null, null);
            items.Add(line, "id", new SuiteItem(items.DefaultId, input, expected, accepted));
        }

        return items.Items;
    }
}
