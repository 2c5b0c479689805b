namespace BenchMesh.Datasets;

/// <summary>The file formats items can be imported from (docs/datasets.md).</summary>
public enum DatasetFormat
{
    /// <summary>JSON lines, one item per line; fields picked by the <see cref="FieldMapping"/>.</summary>
    Jsonl,

    /// <summary>RFC 4180 CSV with a header row; columns picked by the <see cref="FieldMapping"/>.</summary>
    Csv,

    /// <summary>OpenAI Evals samples: <c>input</c> (chat messages or a string), <c>ideal</c> (a string or a list).</summary>
    OpenAiEvals,

    /// <summary>Inspect AI samples: <c>input</c> (string or messages), <c>target</c> (string or list), <c>id</c>, <c>metadata</c>.</summary>
    Inspect,

    /// <summary>promptfoo test cases, one per line: <c>vars</c> and <c>assert</c>.</summary>
    Promptfoo,
}

public static class DatasetFormats
{
    /// <summary>The names the CLI and docs use, in the order of <see cref="DatasetFormat"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["jsonl", "csv", "openai-evals", "inspect", "promptfoo"];

    public static string Name(this DatasetFormat format) => Names[(int)format];

    public static bool TryParse(string? name, out DatasetFormat format)
    {
        var index = name is null ? -1 : Names.ToList().IndexOf(name.Trim().ToLowerInvariant());
        format = index < 0 ? default : (DatasetFormat)index;
        return index >= 0;
    }

    /// <summary>The format a file name implies (<c>.jsonl</c>, <c>.csv</c>), or null when it implies none.</summary>
    public static DatasetFormat? FromFileName(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" or ".ndjson" => DatasetFormat.Jsonl,
        ".csv" => DatasetFormat.Csv,
        _ => null,
    };
}
