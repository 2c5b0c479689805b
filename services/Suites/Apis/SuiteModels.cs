using System.Text.Json;
using System.Text.Json.Serialization;
using BenchMesh.Contracts.Runs;
using BenchMesh.Suites.Data;
using DatasetItem = BenchMesh.Suites.Data.DatasetItem;

namespace BenchMesh.Suites.Apis;

// Requests, in the specification's BenchmarkSuite shape (§1.1) plus BenchMesh's extensions (docs/api.md, "Suites");
// every property nullable so that gaps become field errors. Fields whose JSON type varies (an input that is a string
// or a message list, an expected output that is a string or a list, free-form objects) are JsonElement and checked
// by SuiteValidator.

public sealed record CreateSuiteRequest(
    string? SuiteName,
    string? Name,
    string? Description,
    string? Category,
    string? Version,
    string? WorkspaceId,
    IReadOnlyList<BenchmarkRequest?>? Benchmarks,
    JsonElement? RegressionThresholds = null,
    IReadOnlyList<AgentBaselineRequest?>? BaselineScores = null,
    JsonElement? Metadata = null,
    JsonElement? SuiteId = null,
    JsonElement? CreatedAt = null,
    bool? IsPublic = null)
{
    /// <summary><c>suite_name</c>, or its alias <c>name</c> (the validator refuses both with different values).</summary>
    public string? EffectiveName => string.IsNullOrWhiteSpace(SuiteName) ? Name : SuiteName;
}

public sealed record AgentBaselineRequest(string? AgentId, IReadOnlyDictionary<string, double>? Scores);

public sealed record BenchmarkRequest(
    string? Name,
    string? Description,
    string? Category,
    JsonElement? ScoringRubric,
    ConstraintsRequest? Constraints,
    DatasetRequest? Dataset,
    string? BenchmarkId = null,
    string? TestType = null,
    IReadOnlyList<string?>? MetricsMeasured = null,
    IReadOnlyList<JsonElement>? ExpectedOutputs = null,
    IReadOnlyDictionary<string, double>? BaselineScores = null,
    JsonElement? Metadata = null);

public sealed record ConstraintsRequest(
    int? TimeoutSeconds,
    double? TargetLatencyMs,
    double? TargetTokens,
    double? TargetCostUsd,
    int? MaxTokens,
    int? TimeLimitMs = null,
    long? TotalTimeLimitMs = null,
    double? MemoryLimitMb = null,
    long? TokenLimit = null,
    decimal? CostLimitUsd = null);

public sealed record DatasetRequest(
    string? Name,
    IReadOnlyList<DatasetItemRequest?>? Items,
    int? Size = null,
    string? Complexity = null,
    string? DataSource = null);

public sealed record DatasetItemRequest(
    string? Id,
    JsonElement? Input,
    string? Expected,
    JsonElement? ScoringRubric,
    IReadOnlyList<string?>? AcceptedOutputs = null);

// Representations: the request's fields with defaults applied, plus ids, created_at, item_count and content_hash.

public sealed record DatasetItemResponse(
    string Id,
    JsonElement Input,
    string? Expected,
    IReadOnlyList<string>? AcceptedOutputs,
    JsonElement? ScoringRubric);

public sealed record DatasetResponse(
    string? Name,
    int Size,
    int ItemCount,
    string? Complexity,
    string? DataSource,
    string ContentHash,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<DatasetItemResponse>? Items);

public sealed record BenchmarkResponse(
    Guid BenchmarkId,
    string Name,
    string? Description,
    string Category,
    string? TestType,
    IReadOnlyList<string> MetricsMeasured,
    JsonElement ScoringRubric,
    BenchmarkConstraints Constraints,
    DatasetResponse Dataset,
    // Derived from the items (one entry per item: its answers, a string when there is one), so listed only with them.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<JsonElement>? ExpectedOutputs,
    IReadOnlyDictionary<string, double> BaselineScores,
    JsonElement? Metadata);

public sealed record AgentBaselineResponse(Guid AgentId, IReadOnlyDictionary<string, double> Scores);

public sealed record SuiteResponse(
    Guid SuiteId,
    string SuiteName,
    // The alias, answered too so that clients written against it keep working.
    string Name,
    string? Description,
    string Category,
    string Version,
    string WorkspaceId,
    bool IsPublic,
    IReadOnlyList<BenchmarkResponse> Benchmarks,
    IReadOnlyList<AgentBaselineResponse> BaselineScores,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, double> RegressionThresholds,
    JsonElement? Metadata)
{
    /// <summary>The suite; with its items when they were loaded and <paramref name="withItems"/> is set.</summary>
    public static SuiteResponse From(Suite suite, bool withItems) => new(
        suite.SuiteId,
        suite.Name,
        suite.Name,
        suite.Description,
        suite.Category,
        suite.Version,
        suite.WorkspaceId,
        suite.IsPublic,
        [.. suite.Benchmarks.OrderBy(b => b.Ordinal).Select(b => BenchmarkFrom(b, withItems))],
        [.. suite.Baselines().Select(b => new AgentBaselineResponse(b.AgentId, b.Scores))],
        suite.CreatedAt,
        suite.RegressionThresholdMap(),
        suite.Metadata is null ? null : JsonText.Parse(suite.Metadata));

    private static BenchmarkResponse BenchmarkFrom(Benchmark b, bool withItems)
    {
        var items = withItems ? b.Items.OrderBy(i => i.Ordinal).ToList() : null;
        return new BenchmarkResponse(
            b.BenchmarkId,
            b.Name,
            b.Description,
            b.Category,
            b.TestType,
            b.MetricsMeasured,
            JsonText.Parse(b.ScoringRubric),
            b.Constraints(),
            new DatasetResponse(
                b.DatasetName,
                b.ItemCount,
                b.ItemCount,
                b.DatasetComplexity,
                b.DatasetSource,
                b.DatasetContentHash,
                items?.Select(i => new DatasetItemResponse(
                    i.ItemId,
                    i.MessagesJson is null ? JsonSerializer.SerializeToElement(i.Input) : JsonText.Parse(i.MessagesJson),
                    i.Expected,
                    i.AcceptedOutputs,
                    i.ScoringRubric is null ? null : JsonText.Parse(i.ScoringRubric))).ToList()),
            items?.Select(ExpectedOutput).ToList(),
            b.BaselineScoreMap(),
            b.Metadata is null ? null : JsonText.Parse(b.Metadata));
    }

    /// <summary>An item's <c>expected_outputs</c> entry: its list of answers, its one answer, or null.</summary>
    private static JsonElement ExpectedOutput(DatasetItem item) => item.AcceptedOutputs is { } accepted
        ? JsonSerializer.SerializeToElement(accepted)
        : JsonSerializer.SerializeToElement(item.Expected);
}

public sealed record SuiteListResponse(IReadOnlyList<SuiteResponse> Suites);
