namespace BenchMesh.Datasets;

/// <summary>
/// A dataset file that cannot be imported: names the line of the file (for CSV, the line where the record starts)
/// and the field, e.g. <c>line 3: expected: must be a string or a list of strings</c>.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(int line, string? field, string problem)
        : base(Describe(line, field, problem)) => (Line, Field, Problem) = (line, field, problem);

    public DatasetFormatException(string message) : base(message) => Problem = message;

    public DatasetFormatException()
    {
    }

    public DatasetFormatException(string message, Exception innerException) : base(message, innerException) => Problem = message;

    /// <summary>The 1-based line of the file; 0 when the problem concerns the whole file (or the command's options).</summary>
    public int Line { get; }

    /// <summary>The field (or column, or JSON path within the line) at fault, if one is.</summary>
    public string? Field { get; }

    public string? Problem { get; }

    private static string Describe(int line, string? field, string problem) =>
        (line > 0 ? $"line {line}: " : "") + (field is null ? "" : $"{field}: ") + problem;
}
