using System.Text.Json;
using BenchMesh.Contracts.Regression;
using BenchMesh.Contracts.Runs;
using BenchMesh.ServiceDefaults;
using BenchMesh.Statistics.Engine;
using BenchMesh.Suites.Apis;
using BenchMesh.Suites.Data;

namespace BenchMesh.Suites.Validation;

/// <summary>Field errors of a suite definition, keyed by snake_case JSON paths such as <c>benchmarks[0].dataset.items[2].id</c>.</summary>
public static class SuiteValidator
{
    // Upper bounds that catch unit mistakes (seconds for milliseconds, dollars for cents) without limiting real use.
    public const double MaxTargetLatencyMs = 3_600_000;
    public const double MaxTargetTokens = 100_000_000;
    public const double MaxTargetCostUsd = 1_000_000;
    public const int MaxMaxTokens = 10_000_000;

    public static ValidationErrors Validate(CreateSuiteRequest request)
    {
        var errors = new ValidationErrors();
        errors.Required("name", request.Name).MaxLength("name", request.Name, Limits.NameLength);
        errors.MaxLength("description", request.Description, Limits.DescriptionLength);
        errors.MaxLength("category", request.Category, Limits.CategoryLength);
        errors.MaxLength("version", request.Version, Limits.VersionLength);
        errors.MaxLength("workspace_id", request.WorkspaceId, Limits.NameLength);

        ValidateRegressionThresholds(request.RegressionThresholds, "regression_thresholds", errors);

        var benchmarks = request.Benchmarks ?? [];
        if (benchmarks.Count == 0)
        {
            errors.Add("benchmarks", "must contain at least one benchmark.");
        }
        else if (benchmarks.Count > RunLimits.MaxBenchmarksPerSuite)
        {
            errors.Add("benchmarks", $"must contain at most {RunLimits.MaxBenchmarksPerSuite} benchmarks.");
            return errors;
        }

        for (var i = 0; i < benchmarks.Count; i++)
        {
            ValidateBenchmark(benchmarks[i], $"benchmarks[{i}]", errors);
        }

        return errors;
    }

    /// <summary>
    /// <c>regression_thresholds</c>: an object of metric → number, each a valid practical threshold for the metric's
    /// scale (relative above 0 on latency, cost and tokens; points in (0, 1) on accuracy and error rate).
    /// </summary>
    private static void ValidateRegressionThresholds(JsonElement? thresholds, string path, ValidationErrors errors)
    {
        if (thresholds is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be an object of metric name → practical threshold, e.g. {\"latency_ms\": 0.05, \"accuracy\": 0.02}.");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var field = $"{path}.{property.Name}";
            if (!seen.Add(property.Name))
            {
                errors.Add(field, "appears more than once.");
            }
            else if (!RegressionMetrics.Judged.Contains(property.Name, StringComparer.Ordinal)
                || !MetricRegistry.Default.TryGet(property.Name, out var metric))
            {
                errors.Add(field, $"is not a metric the regression engine judges; use one of {string.Join(", ", RegressionMetrics.Judged)}.");
            }
            else if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var threshold)
                || !MetricRegistry.IsValidThreshold(metric.Scale, threshold) || threshold > MaxRelativeThreshold)
            {
                errors.Add(field, metric.Scale == MetricScale.Proportion
                    ? "must be a number greater than 0 and less than 1 (points: 0.02 = 2 points)."
                    : $"must be a number greater than 0 and at most {MaxRelativeThreshold} (relative: 0.05 = 5 %).");
            }
        }
    }

    /// <summary>A relative threshold above 1000 % would switch regression detection off for the metric: a unit mistake.</summary>
    public const double MaxRelativeThreshold = 10;

    private static void ValidateBenchmark(BenchmarkRequest? benchmark, string path, ValidationErrors errors)
    {
        if (benchmark is null)
        {
            errors.Add(path, "is required.");
            return;
        }

        errors.Required($"{path}.name", benchmark.Name).MaxLength($"{path}.name", benchmark.Name, Limits.NameLength);
        errors.MaxLength($"{path}.description", benchmark.Description, Limits.DescriptionLength);
        errors.MaxLength($"{path}.category", benchmark.Category, Limits.CategoryLength);
        RubricValidator.Validate(benchmark.ScoringRubric, $"{path}.scoring_rubric", required: true, errors);
        ValidateConstraints(benchmark.Constraints, $"{path}.constraints", errors);
        ValidateDataset(benchmark.Dataset, $"{path}.dataset", errors);
    }

    private static void ValidateConstraints(ConstraintsRequest? constraints, string path, ValidationErrors errors)
    {
        if (constraints is null)
        {
            return;
        }

        errors.Range($"{path}.timeout_seconds", constraints.TimeoutSeconds, 1, RunLimits.MaxTimeoutSeconds);
        Positive($"{path}.target_latency_ms", constraints.TargetLatencyMs, MaxTargetLatencyMs, errors);
        Positive($"{path}.target_tokens", constraints.TargetTokens, MaxTargetTokens, errors);
        Positive($"{path}.target_cost_usd", constraints.TargetCostUsd, MaxTargetCostUsd, errors);
        errors.Range($"{path}.max_tokens", constraints.MaxTokens, 1, MaxMaxTokens);
    }

    private static void ValidateDataset(DatasetRequest? dataset, string path, ValidationErrors errors)
    {
        if (dataset is null)
        {
            return;
        }

        errors.MaxLength($"{path}.name", dataset.Name, Limits.NameLength);
        var items = dataset.Items ?? [];
        if (items.Count > RunLimits.MaxItemsPerBenchmark)
        {
            errors.Add($"{path}.items", $"must contain at most {RunLimits.MaxItemsPerBenchmark} items.");
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{path}.items[{i}]";
            if (items[i] is not { } item)
            {
                errors.Add(itemPath, "is required.");
                continue;
            }

            errors.Required($"{itemPath}.id", item.Id).MaxLength($"{itemPath}.id", item.Id, Limits.NameLength);
            if (!string.IsNullOrWhiteSpace(item.Id) && !seen.TryAdd(item.Id, i))
            {
                errors.Add($"{itemPath}.id", $"duplicates items[{seen[item.Id]}].id; item ids must be unique within a benchmark.");
            }

            errors.Required($"{itemPath}.input", item.Input);
            RubricValidator.Validate(item.ScoringRubric, $"{itemPath}.scoring_rubric", required: false, errors);
        }
    }

    private static void Positive(string path, double? value, double max, ValidationErrors errors)
    {
        if (value is { } v && !(v > 0 && v <= max))
        {
            errors.Add(path, $"must be greater than 0 and at most {max}.");
        }
    }
}
