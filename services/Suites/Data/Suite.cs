using BenchMesh.Contracts.Runs;

namespace BenchMesh.Suites.Data;

/// <summary>A named, versioned set of benchmarks.</summary>
public sealed class Suite
{
    public Guid SuiteId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string Category { get; set; }
    public required string Version { get; set; }
    public string? WorkspaceId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// JSON object text (jsonb), metric name → practical threshold, overriding the regression engine's defaults for
    /// this suite's benchmarks (e.g. <c>{"latency_ms":0.05}</c>), or null.
    /// </summary>
    public string? RegressionThresholds { get; set; }

    public List<Benchmark> Benchmarks { get; set; } = [];

    /// <summary>The overrides as a map (empty when there are none).</summary>
    public IReadOnlyDictionary<string, double> RegressionThresholdMap() => RegressionThresholds is null
        ? new Dictionary<string, double>()
        : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(RegressionThresholds) ?? [];
}

/// <summary>One benchmark of a suite: a rubric, the constraints placed on the agent and a dataset.</summary>
public sealed class Benchmark
{
    public Guid BenchmarkId { get; set; }
    public Guid SuiteId { get; set; }
    public int Ordinal { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string Category { get; set; }

    /// <summary>JSON object text (jsonb), e.g. <c>{"type":"exact_match"}</c>.</summary>
    public required string ScoringRubric { get; set; }

    public int TimeoutSeconds { get; set; }
    public double TargetLatencyMs { get; set; }
    public double TargetTokens { get; set; }
    public double TargetCostUsd { get; set; }
    public int? MaxTokens { get; set; }

    public string? DatasetName { get; set; }

    /// <summary>Stored so that listing suites needs no item rows.</summary>
    public int ItemCount { get; set; }
    public List<DatasetItem> Items { get; set; } = [];

    public BenchmarkConstraints Constraints() => new()
    {
        TimeoutSeconds = TimeoutSeconds,
        TargetLatencyMs = TargetLatencyMs,
        TargetTokens = TargetTokens,
        TargetCostUsd = TargetCostUsd,
        MaxTokens = MaxTokens,
    };
}

/// <summary>One dataset item of a benchmark.</summary>
public sealed class DatasetItem
{
    public Guid BenchmarkId { get; set; }
    public int Ordinal { get; set; }
    public required string ItemId { get; set; }
    public required string Input { get; set; }
    public string? Expected { get; set; }

    /// <summary>JSON object text (jsonb) overriding the benchmark's rubric for this item, or null.</summary>
    public string? ScoringRubric { get; set; }
}
