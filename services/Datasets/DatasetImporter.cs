using BenchMesh.Datasets.Importers;

namespace BenchMesh.Datasets;

/// <summary>Reads dataset items from a file in one of the <see cref="DatasetFormat"/>s (docs/datasets.md).</summary>
public static class DatasetImporter
{
    /// <summary>Imports the items of <paramref name="path"/>.</summary>
    /// <exception cref="DatasetFormatException">The file (or the options) cannot be imported; the message names the line and field.</exception>
    public static IReadOnlyList<SuiteItem> ImportFile(string path, DatasetFormat format, DatasetImportOptions? options = null)
    {
        using var stream = File.OpenRead(path);
        return Import(stream, format, options);
    }

    /// <summary>Imports the items of a UTF-8 stream (a byte order mark is allowed); the stream is left open.</summary>
    /// <exception cref="DatasetFormatException">The data (or the options) cannot be imported; the message names the line and field.</exception>
    public static IReadOnlyList<SuiteItem> Import(Stream stream, DatasetFormat format, DatasetImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= DatasetImportOptions.Default;
        if (options.Template is not null && format != DatasetFormat.Promptfoo)
        {
            throw new DatasetFormatException("a template applies to promptfoo tests only");
        }

        if (!options.Mapping.IsEmpty && format is DatasetFormat.OpenAiEvals or DatasetFormat.Inspect)
        {
            throw new DatasetFormatException($"mapping: the {format.Name()} format has fixed fields; a mapping applies to jsonl, csv and promptfoo");
        }

        return format switch
        {
            DatasetFormat.Jsonl => JsonlImporter.Import(stream, options),
            DatasetFormat.Csv => CsvImporter.Import(stream, options),
            DatasetFormat.OpenAiEvals => OpenAiEvalsImporter.Import(stream, options),
            DatasetFormat.Inspect => InspectImporter.Import(stream, options),
            DatasetFormat.Promptfoo => PromptfooImporter.Import(stream, options),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a dataset format"),
        };
    }
}
