using System.Text.Json;

namespace BenchMesh.Suites.Data;

/// <summary>A named, versioned set of benchmarks (the specification's <c>BenchmarkSuite</c>, §1.1).</summary>
public sealed class Suite
{
    public Guid SuiteId { get; set; }

    /// <summary>The suite's name: <c>suite_name</c> in the API (<c>name</c> is its alias).</summary>
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>One of <see cref="SuiteCategories.All"/>.</summary>
    public required string Category { get; set; }
    public required string Version { get; set; }

    /// <summary>The workspace that owns the suite: the creating key's (suites created before keys belong to <c>default</c>).</summary>
    public required string WorkspaceId { get; set; }

    /// <summary>Seen (listed, read, run) by every workspace; changed only by its own.</summary>
    public bool IsPublic { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// JSON object text (jsonb), metric name → practical threshold, overriding the regression engine's defaults for
    /// this suite's benchmarks (e.g. <c>{"latency_ms":0.05}</c>), or null.
    /// </summary>
    public string? RegressionThresholds { get; set; }

    /// <summary>
    /// JSON array text (jsonb) of <see cref="AgentBaseline"/>: the scores the suite states per agent
    /// (<c>baseline_scores</c>), or null when it states none.
    /// </summary>
    public string? BaselineScores { get; set; }

    /// <summary>The client's <c>metadata</c> object exactly as it was sent (json, not jsonb: key order and spelling kept), or null.</summary>
    public string? Metadata { get; set; }

    public List<Benchmark> Benchmarks { get; set; } = [];

    /// <summary>The overrides as a map (empty when there are none).</summary>
    public IReadOnlyDictionary<string, double> RegressionThresholdMap() => RegressionThresholds is null
        ? new Dictionary<string, double>()
        : JsonSerializer.Deserialize<Dictionary<string, double>>(RegressionThresholds) ?? [];

    /// <summary>The per-agent baselines (empty when there are none).</summary>
    public IReadOnlyList<AgentBaseline> Baselines() => BaselineScores is null
        ? []
        : JsonSerializer.Deserialize<List<AgentBaseline>>(BaselineScores, AgentBaseline.StorageJson) ?? [];
}

/// <summary>One entry of a suite's <c>baseline_scores</c>: an agent and its reference scores (score name → value).</summary>
public sealed record AgentBaseline(Guid AgentId, IReadOnlyDictionary<string, double> Scores)
{
    /// <summary>How the list is stored: the API's own snake_case names, so the column reads like the request.</summary>
    public static readonly JsonSerializerOptions StorageJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}

/// <summary>The values of a suite's <c>category</c> (the specification's, §1.1, plus <c>efficiency</c>).</summary>
public static class SuiteCategories
{
    public const string Speed = "speed";
    public const string Accuracy = "accuracy";
    public const string Efficiency = "efficiency";
    public const string Reliability = "reliability";
    public const string Cost = "cost";
    public const string Scalability = "scalability";
    public const string Comprehensive = "comprehensive";

    public static readonly IReadOnlyList<string> All = [Speed, Accuracy, Efficiency, Reliability, Cost, Scalability, Comprehensive];
}
