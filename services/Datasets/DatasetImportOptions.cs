namespace BenchMesh.Datasets;

/// <summary>How to read a dataset file besides its format.</summary>
public sealed record DatasetImportOptions
{
    public static readonly DatasetImportOptions Default = new();

    /// <summary>Fields or columns of the items (JSONL, CSV), or the promptfoo vars that are the input and the id.</summary>
    public FieldMapping Mapping { get; init; } = FieldMapping.Default;

    /// <summary>
    /// promptfoo: the prompt the input is made of, with <c>{{var}}</c> placeholders filled from each test's <c>vars</c>
    /// (e.g. <c>Q: {{question}}</c>). Only plain placeholders: no filters, no tags.
    /// </summary>
    public string? Template { get; init; }

    /// <summary>The most items a file may hold (the suite API's limit per benchmark).</summary>
    public int MaxItems { get; init; } = BenchMesh.Contracts.Runs.RunLimits.MaxItemsPerBenchmark;
}
