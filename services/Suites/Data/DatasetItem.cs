namespace BenchMesh.Suites.Data;

/// <summary>One dataset item of a benchmark.</summary>
public sealed class DatasetItem
{
    public Guid BenchmarkId { get; set; }
    public int Ordinal { get; set; }
    public required string ItemId { get; set; }

    /// <summary>The input text; for a chat message list, the last user turn's content.</summary>
    public required string Input { get; set; }

    /// <summary>The input as a chat message list (jsonb array of <c>{role, content}</c>), or null when it is plain text.</summary>
    public string? MessagesJson { get; set; }

    public string? Expected { get; set; }

    /// <summary>Every acceptable answer when the suite gave a list (text[]), or null; <see cref="Expected"/> is one of them.</summary>
    public List<string>? AcceptedOutputs { get; set; }

    /// <summary>JSON object text (jsonb) overriding the benchmark's rubric for this item, or null.</summary>
    public string? ScoringRubric { get; set; }
}
