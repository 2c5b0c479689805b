namespace BenchMesh.Scoring.Data;

/// <summary>Text as PostgreSQL can store it.</summary>
public static class StoredText
{
    /// <summary>
    /// Removes NUL characters, which PostgreSQL's text type rejects. Agents' outputs and errors are arbitrary text: one
    /// NUL would otherwise fail the whole execution's write on every redelivery and the run would never complete.
    /// </summary>
    public static string? WithoutNul(string? text) =>
        text is null || !text.Contains('\0', StringComparison.Ordinal) ? text : text.Replace("\0", "", StringComparison.Ordinal);
}
