using System.Text.Json;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Suites.Data;

/// <summary>One benchmark of a suite: a rubric, the constraints placed on the agent and a dataset.</summary>
public sealed class Benchmark
{
    public Guid BenchmarkId { get; set; }
    public Guid SuiteId { get; set; }
    public int Ordinal { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>BenchMesh's free-form topic label (e.g. <c>math</c>); the suite's category when none was given.</summary>
    public required string Category { get; set; }

    /// <summary><c>test_type</c>: one of <see cref="TestTypes.All"/>, or null.</summary>
    public string? TestType { get; set; }

    /// <summary><c>metrics_measured</c>, in the order given (text[]; empty when none).</summary>
    public List<string> MetricsMeasured { get; set; } = [];

    /// <summary>JSON object text (jsonb), e.g. <c>{"type":"exact_match"}</c>.</summary>
    public required string ScoringRubric { get; set; }

    public int TimeoutSeconds { get; set; }
    public double TargetLatencyMs { get; set; }
    public double TargetTokens { get; set; }
    public double TargetCostUsd { get; set; }
    public int? MaxTokens { get; set; }

    // The specification's limits; null is no limit.
    public int? TimeLimitMs { get; set; }
    public long? TotalTimeLimitMs { get; set; }
    public double? MemoryLimitMb { get; set; }
    public long? TokenLimit { get; set; }
    public decimal? CostLimitUsd { get; set; }

    public string? DatasetName { get; set; }

    /// <summary><c>dataset.complexity</c>: one of <see cref="DatasetComplexities.All"/>, or null.</summary>
    public string? DatasetComplexity { get; set; }

    /// <summary><c>dataset.data_source</c>: where the items came from (a URL, a file name, a description), or null.</summary>
    public string? DatasetSource { get; set; }

    /// <summary>SHA-256 (lowercase hex) of the items' canonical form (<see cref="BenchMesh.Datasets.DatasetContentHash"/>).</summary>
    public required string DatasetContentHash { get; set; }

    /// <summary>Stored so that listing suites needs no item rows.</summary>
    public int ItemCount { get; set; }
    public List<DatasetItem> Items { get; set; } = [];

    /// <summary>JSON object text (jsonb), score name → value: the benchmark's own <c>baseline_scores</c>, or null.</summary>
    public string? BaselineScores { get; set; }

    /// <summary>The client's <c>metadata</c> object exactly as it was sent (json), or null.</summary>
    public string? Metadata { get; set; }

    public BenchmarkConstraints Constraints() => new()
    {
        TimeoutSeconds = TimeoutSeconds,
        TargetLatencyMs = TargetLatencyMs,
        TargetTokens = TargetTokens,
        TargetCostUsd = TargetCostUsd,
        MaxTokens = MaxTokens,
        TimeLimitMs = TimeLimitMs,
        TotalTimeLimitMs = TotalTimeLimitMs,
        MemoryLimitMb = MemoryLimitMb,
        TokenLimit = TokenLimit,
        CostLimitUsd = CostLimitUsd,
    };

    /// <summary>The benchmark's own baseline as a map (empty when there is none).</summary>
    public IReadOnlyDictionary<string, double> BaselineScoreMap() => BaselineScores is null
        ? new Dictionary<string, double>()
        : JsonSerializer.Deserialize<Dictionary<string, double>>(BaselineScores) ?? [];
}

/// <summary>The values of a benchmark's <c>test_type</c> (§1.1).</summary>
public static class TestTypes
{
    public static readonly IReadOnlyList<string> All = ["synthetic", "real_world", "stress", "edge_case"];
}

/// <summary>The values of a dataset's <c>complexity</c> (§1.1).</summary>
public static class DatasetComplexities
{
    public static readonly IReadOnlyList<string> All = ["low", "medium", "high", "extreme"];
}
