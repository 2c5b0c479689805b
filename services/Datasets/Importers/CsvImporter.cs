using System.Text.Unicode;
using CsvHelper;

namespace BenchMesh.Datasets.Importers;

/// <summary>
/// RFC 4180 CSV with a header row; columns picked by the <see cref="FieldMapping"/>. Cells are text: an empty cell is
/// no value; <c>accepted_outputs</c> holds a JSON list and <c>scoring_rubric</c> a JSON object.
/// </summary>
/// <remarks>
/// CsvHelper reads it: quoted fields with separators, doubled quotes and line breaks, CRLF or LF, a byte order mark,
/// and it tells the line where each record starts, which hand-rolled splitting gets wrong on multi-line fields.
/// </remarks>
internal static class CsvImporter
{
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        // A fixed separator: detection could take a ';' inside the text of a one-column file for the separator.
        Separator = ',',
        HasHeader = true,
        Mode = CsvMode.Rfc4180,
        AllowLineBreaksInQuotes = true,
        SkipEmptyLines = true,
        TrimWhitespace = false,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Throw,
        TrackLineNumbers = true,
    };

    public static IReadOnlyList<SuiteItem> Import(Stream stream, DatasetImportOptions options)
    {
        var mapping = options.Mapping;
        var items = new ItemCollector(options);
        var bytes = Utf8Bytes(stream);
        try
        {
            using var csv = CsvReader.Create(bytes, Options);
            csv.ReadHeader();
            var header = csv.Headers.Select((name, i) => i == 0 ? name.TrimStart('\uFEFF') : name).ToList();
            var columns = FieldMapping.Keys.ToDictionary(key => key, key => Column(header, mapping, key));
            var (idField, inputField) = (mapping.FieldFor(FieldMapping.IdKey), mapping.FieldFor(FieldMapping.InputKey));
            var (acceptedField, rubricField) = (mapping.FieldFor(FieldMapping.AcceptedOutputsKey), mapping.FieldFor(FieldMapping.ScoringRubricKey));
            while (csv.Read())
            {
                var line = (int)csv.LineNumber;
                string? Cell(string key) => columns[key] is { } index && csv.GetString(index) is { Length: > 0 } value
                    ? Text.Valid(value, line, mapping.FieldFor(key))
                    : null;

                var id = Cell(FieldMapping.IdKey) ?? (columns[FieldMapping.IdKey] is null
                    ? items.DefaultId
                    : throw new DatasetFormatException(line, idField, "must not be empty"));
                var input = Cell(FieldMapping.InputKey) ?? throw new DatasetFormatException(line, inputField, "must not be empty");
                var (expected, accepted) = (Cell(FieldMapping.ExpectedKey), (IReadOnlyList<string>?)null);
                if (Cell(FieldMapping.AcceptedOutputsKey) is { } acceptedText)
                {
                    var list = JsonValues.Strings(JsonValues.ParseCell(acceptedText, line, acceptedField), line, acceptedField);
                    (expected, accepted) = JsonlImporter.Merge(expected, list);
                }

                var rubric = Cell(FieldMapping.ScoringRubricKey) is { } rubricText
                    ? JsonValues.Rubric(JsonValues.ParseCell(rubricText, line, rubricField), line, rubricField)
                    : null;
                var item = new SuiteItem(
                    Text.NonEmpty(id, line, idField), ItemInput.FromText(Text.NonEmpty(input, line, inputField)), expected, accepted, rubric);
                items.Add(line, idField, item);
            }
        }
        catch (CsvFormatException ex)
        {
            throw new DatasetFormatException((int)ex.LineNumber, null, $"malformed CSV: {ex.Message}");
        }

        return items.Items;
    }

    /// <summary>
    /// The file's bytes, checked to be UTF-8 first: CsvHelper would decode invalid bytes as replacement characters,
    /// and a file in another encoding should be an error that names its line instead.
    /// </summary>
    private static byte[] Utf8Bytes(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        if (Utf8.IsValid(bytes))
        {
            return bytes;
        }

        var line = 1;
        for (var start = 0; ; line++)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0 || !Utf8.IsValid(bytes.AsSpan(start, end - start)))
            {
                throw new DatasetFormatException(line, null, "not valid UTF-8");
            }

            start = end + 1;
        }
    }

    /// <summary>The column of <paramref name="key"/>: required when mapped explicitly (and for the input), else optional.</summary>
    private static int? Column(IReadOnlyList<string> header, FieldMapping mapping, string key)
    {
        var name = mapping.FieldFor(key);
        var index = header.ToList().IndexOf(name);
        if (index >= 0)
        {
            return index;
        }

        return mapping.Explicit(key) is null && key != FieldMapping.InputKey
            ? null
            : throw new DatasetFormatException(1, name, $"no such column (the header has: {string.Join(", ", header)})");
    }
}
