using System.Text.Json;

namespace BenchMesh.Datasets.Importers;

/// <summary>JSON lines with fields picked by the <see cref="FieldMapping"/> (defaults: id, input, expected, …).</summary>
internal static class JsonlImporter
{
    public static IReadOnlyList<SuiteItem> Import(Stream stream, DatasetImportOptions options)
    {
        var mapping = options.Mapping;
        var items = new ItemCollector(options);
        foreach (var (line, record) in JsonLines.Read(stream))
        {
            var idField = mapping.FieldFor(FieldMapping.IdKey);
            var inputField = mapping.FieldFor(FieldMapping.InputKey);
            var id = Get(record, mapping, FieldMapping.IdKey, line) is { } idValue ? JsonValues.Id(idValue, line, idField) : items.DefaultId;
            var input = Get(record, mapping, FieldMapping.InputKey, line) is { } inputValue
                ? JsonValues.Input(inputValue, line, inputField)
                : throw new DatasetFormatException(line, inputField, "is required");
            var (expected, accepted) = Get(record, mapping, FieldMapping.ExpectedKey, line) is { } expectedValue
                ? JsonValues.Answers(expectedValue, line, mapping.FieldFor(FieldMapping.ExpectedKey))
                : (null, null);
            if (Get(record, mapping, FieldMapping.AcceptedOutputsKey, line) is { } acceptedValue)
            {
                (expected, accepted) = Merge(expected, JsonValues.Strings(acceptedValue, line, mapping.FieldFor(FieldMapping.AcceptedOutputsKey)));
            }

            var rubric = Get(record, mapping, FieldMapping.ScoringRubricKey, line) is { } rubricValue
                ? JsonValues.Rubric(rubricValue, line, mapping.FieldFor(FieldMapping.ScoringRubricKey))
                : null;
            items.Add(line, idField, new SuiteItem(id, input, expected, accepted, rubric));
        }

        return items.Items;
    }

    /// <summary>
    /// Accepted outputs given apart from the expected answer: the expected answer comes first, then the others.
    /// One answer in all is just the expected answer.
    /// </summary>
    internal static (string? Expected, IReadOnlyList<string>? Accepted) Merge(string? expected, IReadOnlyList<string> accepted)
    {
        var all = (expected is null ? accepted : [expected, .. accepted.Where(a => a != expected)]).ToList();
        return all.Count switch
        {
            0 => (expected, null),
            1 => (all[0], null),
            _ => (all[0], all),
        };
    }

    private static JsonElement? Get(JsonElement record, FieldMapping mapping, string key, int line)
    {
        var field = mapping.FieldFor(key);
        if (JsonValues.TryGet(record, field, out var value))
        {
            return value;
        }

        return mapping.Explicit(key) is null ? null : throw new DatasetFormatException(line, field, "is missing (it is named in the mapping)");
    }
}
