using System.Text.Json;
using System.Text.Json.Serialization;
using BenchMesh.Contracts.Runs;
using BenchMesh.Suites.Data;

namespace BenchMesh.Suites.Apis;

// Requests, in the seed's BenchmarkSuite shape; every property nullable so that gaps become field errors.

public sealed record CreateSuiteRequest(
    string? Name,
    string? Description,
    string? Category,
    string? Version,
    string? WorkspaceId,
    IReadOnlyList<BenchmarkRequest?>? Benchmarks,
    JsonElement? RegressionThresholds = null);

public sealed record BenchmarkRequest(
    string? Name,
    string? Description,
    string? Category,
    JsonElement? ScoringRubric,
    ConstraintsRequest? Constraints,
    DatasetRequest? Dataset);

public sealed record ConstraintsRequest(
    int? TimeoutSeconds, double? TargetLatencyMs, double? TargetTokens, double? TargetCostUsd, int? MaxTokens);

public sealed record DatasetRequest(string? Name, IReadOnlyList<DatasetItemRequest?>? Items);

public sealed record DatasetItemRequest(string? Id, string? Input, string? Expected, JsonElement? ScoringRubric);

// Representations: the request's fields with defaults applied, plus ids, created_at and item_count.

public sealed record DatasetItemResponse(string Id, string Input, string? Expected, JsonElement? ScoringRubric);

public sealed record DatasetResponse(
    string? Name,
    int ItemCount,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<DatasetItemResponse>? Items);

public sealed record BenchmarkResponse(
    Guid BenchmarkId,
    string Name,
    string? Description,
    string Category,
    JsonElement ScoringRubric,
    BenchmarkConstraints Constraints,
    DatasetResponse Dataset);

public sealed record SuiteResponse(
    Guid SuiteId,
    string Name,
    string? Description,
    string Category,
    string Version,
    string? WorkspaceId,
    IReadOnlyList<BenchmarkResponse> Benchmarks,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, double> RegressionThresholds)
{
    /// <summary>The suite; with its items when they were loaded and <paramref name="withItems"/> is set.</summary>
    public static SuiteResponse From(Suite suite, bool withItems) => new(
        suite.SuiteId,
        suite.Name,
        suite.Description,
        suite.Category,
        suite.Version,
        suite.WorkspaceId,
        [.. suite.Benchmarks.OrderBy(b => b.Ordinal).Select(b => new BenchmarkResponse(
            b.BenchmarkId,
            b.Name,
            b.Description,
            b.Category,
            JsonText.Parse(b.ScoringRubric),
            b.Constraints(),
            new DatasetResponse(
                b.DatasetName,
                b.ItemCount,
                withItems
                    ? [.. b.Items.OrderBy(i => i.Ordinal).Select(i => new DatasetItemResponse(
                        i.ItemId, i.Input, i.Expected, i.ScoringRubric is null ? null : JsonText.Parse(i.ScoringRubric)))]
                    : null)))],
        suite.CreatedAt,
        suite.RegressionThresholdMap());
}

public sealed record SuiteListResponse(IReadOnlyList<SuiteResponse> Suites);
