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

    public const double MaxMemoryLimitMb = 1_048_576;
    public const long MaxTotalTimeLimitMs = 7L * 24 * 3600 * 1000;

    public static ValidationErrors Validate(CreateSuiteRequest request)
    {
        var errors = new ValidationErrors();
        ValidateName(request, errors);
        errors.MaxLength("description", request.Description, Limits.DescriptionLength);
        if (request.Category is not null && !SuiteCategories.All.Contains(request.Category, StringComparer.Ordinal))
        {
            errors.Add("category", $"must be one of: {string.Join(", ", SuiteCategories.All)}.");
        }

        errors.MaxLength("version", request.Version, Limits.VersionLength);
        ServerAssigned(request.SuiteId, "suite_id", errors);
        ServerAssigned(request.CreatedAt, "created_at", errors);
        ValidateMetadata(request.Metadata, "metadata", errors);
        ValidateRegressionThresholds(request.RegressionThresholds, "regression_thresholds", errors);
        ValidateAgentBaselines(request.BaselineScores, "baseline_scores", errors);

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

        var benchmarkIds = new Dictionary<Guid, int>();
        for (var i = 0; i < benchmarks.Count; i++)
        {
            ValidateBenchmark(benchmarks[i], $"benchmarks[{i}]", errors);
            if (benchmarks[i]?.BenchmarkId is { } id && Guid.TryParse(id, out var benchmarkId) && !benchmarkIds.TryAdd(benchmarkId, i))
            {
                errors.Add($"benchmarks[{i}].benchmark_id", $"duplicates benchmarks[{benchmarkIds[benchmarkId]}].benchmark_id; benchmark ids must be unique within a suite.");
            }
        }

        return errors;
    }

    /// <summary><c>suite_name</c> is the specification's name; <c>name</c> is its alias. One of them, or both alike.</summary>
    private static void ValidateName(CreateSuiteRequest request, ValidationErrors errors)
    {
        if (!string.IsNullOrWhiteSpace(request.SuiteName) && !string.IsNullOrWhiteSpace(request.Name)
            && !string.Equals(request.SuiteName.Trim(), request.Name.Trim(), StringComparison.Ordinal))
        {
            errors.Add("name", "is an alias of suite_name and differs from it; give one of them.");
            return;
        }

        errors.Required("suite_name", request.EffectiveName)
            .MaxLength(string.IsNullOrWhiteSpace(request.SuiteName) ? "name" : "suite_name", request.EffectiveName, Limits.NameLength);
    }

    /// <summary>Ids and timestamps a representation carries but only BenchMesh assigns (a benchmark_id is the exception).</summary>
    private static void ServerAssigned(JsonElement? value, string path, ValidationErrors errors)
    {
        if (value is { ValueKind: not JsonValueKind.Null })
        {
            errors.Add(path, "is assigned by BenchMesh when the suite is created; leave it out.");
        }
    }

    /// <summary><c>metadata</c>: any JSON object, kept as written; bounded so that it stays metadata.</summary>
    private static void ValidateMetadata(JsonElement? metadata, string path, ValidationErrors errors)
    {
        if (metadata is not { ValueKind: not JsonValueKind.Null } value)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be a JSON object.");
        }
        else if (value.GetRawText().Length > Limits.MetadataLength)
        {
            errors.Add(path, $"must be at most {Limits.MetadataLength} characters of JSON.");
        }
    }

    /// <summary>The suite's <c>baseline_scores</c>: per agent (a UUID, once each), scores by name.</summary>
    private static void ValidateAgentBaselines(IReadOnlyList<AgentBaselineRequest?>? baselines, string path, ValidationErrors errors)
    {
        var seen = new Dictionary<Guid, int>();
        for (var i = 0; i < (baselines?.Count ?? 0); i++)
        {
            var entryPath = $"{path}[{i}]";
            if (baselines![i] is not { } baseline)
            {
                errors.Add(entryPath, "is required.");
                continue;
            }

            if (!Guid.TryParse(baseline.AgentId, out var agentId))
            {
                errors.Add($"{entryPath}.agent_id", "is required and must be an agent_id (a UUID).");
            }
            else if (!seen.TryAdd(agentId, i))
            {
                errors.Add($"{entryPath}.agent_id", $"duplicates {path}[{seen[agentId]}].agent_id; give one entry per agent.");
            }

            ValidateScores(baseline.Scores, $"{entryPath}.scores", required: true, errors);
        }
    }

    /// <summary>A baseline's scores: Scoring's score names, each in [0, 1] as the scores are.</summary>
    private static void ValidateScores(IReadOnlyDictionary<string, double>? scores, string path, bool required, ValidationErrors errors)
    {
        if (scores is null || scores.Count == 0)
        {
            if (required)
            {
                errors.Add(path, $"must name at least one score: {string.Join(", ", KnownMetrics.Scores)}.");
            }

            return;
        }

        foreach (var (name, value) in scores)
        {
            if (!KnownMetrics.Scores.Contains(name, StringComparer.Ordinal))
            {
                errors.Add($"{path}.{name}", $"is not a score BenchMesh computes; use one of: {string.Join(", ", KnownMetrics.Scores)}.");
            }
            else if (!(value is >= 0 and <= 1))
            {
                errors.Add($"{path}.{name}", "must be between 0 and 1, as every score is.");
            }
        }
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

        if (benchmark.BenchmarkId is not null && !Guid.TryParse(benchmark.BenchmarkId, out _))
        {
            errors.Add($"{path}.benchmark_id", "must be a UUID (or be left out for BenchMesh to assign one).");
        }

        errors.Required($"{path}.name", benchmark.Name).MaxLength($"{path}.name", benchmark.Name, Limits.NameLength);
        errors.MaxLength($"{path}.description", benchmark.Description, Limits.DescriptionLength);
        errors.MaxLength($"{path}.category", benchmark.Category, Limits.CategoryLength);
        if (benchmark.TestType is not null && !TestTypes.All.Contains(benchmark.TestType, StringComparer.Ordinal))
        {
            errors.Add($"{path}.test_type", $"must be one of: {string.Join(", ", TestTypes.All)}.");
        }

        ValidateMetricsMeasured(benchmark.MetricsMeasured, $"{path}.metrics_measured", errors);
        RubricValidator.Validate(benchmark.ScoringRubric, $"{path}.scoring_rubric", required: true, errors);
        ValidateConstraints(benchmark.Constraints, $"{path}.constraints", errors);
        ValidateDataset(benchmark.Dataset, $"{path}.dataset", errors);
        ValidateExpectedOutputs(benchmark, path, errors);
        ValidateScores(benchmark.BaselineScores, $"{path}.baseline_scores", required: false, errors);
        ValidateMetadata(benchmark.Metadata, $"{path}.metadata", errors);
    }

    private static void ValidateMetricsMeasured(IReadOnlyList<string?>? metrics, string path, ValidationErrors errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (metrics?.Count ?? 0); i++)
        {
            var metric = metrics![i];
            if (metric is null || !KnownMetrics.Measurable.Contains(metric, StringComparer.Ordinal))
            {
                errors.Add($"{path}[{i}]", $"'{metric}' is not a score or metric BenchMesh measures; use one of: {string.Join(", ", KnownMetrics.Measurable)}.");
            }
            else if (!seen.Add(metric))
            {
                errors.Add($"{path}[{i}]", $"'{metric}' is listed more than once.");
            }
        }
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

        // time_limit_ms is the call timeout when set, so it has the timeout's bounds.
        errors.Range($"{path}.time_limit_ms", constraints.TimeLimitMs, 1, RunLimits.MaxTimeoutSeconds * 1000);
        errors.Range($"{path}.total_time_limit_ms", constraints.TotalTimeLimitMs, 1, MaxTotalTimeLimitMs);
        Positive($"{path}.memory_limit_mb", constraints.MemoryLimitMb, MaxMemoryLimitMb, errors);
        errors.Range($"{path}.token_limit", constraints.TokenLimit, 1, MaxTargetTokens);
        Positive($"{path}.cost_limit_usd", (double?)constraints.CostLimitUsd, MaxTargetCostUsd, errors);
    }

    private static void ValidateDataset(DatasetRequest? dataset, string path, ValidationErrors errors)
    {
        if (dataset is null)
        {
            return;
        }

        errors.MaxLength($"{path}.name", dataset.Name, Limits.NameLength);
        errors.MaxLength($"{path}.data_source", dataset.DataSource, Limits.DataSourceLength);
        if (dataset.Complexity is not null && !DatasetComplexities.All.Contains(dataset.Complexity, StringComparer.Ordinal))
        {
            errors.Add($"{path}.complexity", $"must be one of: {string.Join(", ", DatasetComplexities.All)}.");
        }

        var items = dataset.Items ?? [];
        if (items.Count > RunLimits.MaxItemsPerBenchmark)
        {
            errors.Add($"{path}.items", $"must contain at most {RunLimits.MaxItemsPerBenchmark} items.");
            return;
        }

        if (dataset.Size is { } size)
        {
            if (size < 0)
            {
                errors.Add($"{path}.size", "must be 0 or more.");
            }
            else if (size > 0 && items.Count == 0)
            {
                // A size alone describes a dataset BenchMesh does not have: every item must be stored to be run.
                errors.Add($"{path}.items", $"are required: dataset.size is {size}, so give its {size} items, inline here or imported from a file.");
            }
            else if (size != items.Count)
            {
                errors.Add($"{path}.size", $"is {size} but the dataset has {items.Count} items.");
            }
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

            ChatInput.Validate(item.Input, $"{itemPath}.input", errors);
            ValidateAcceptedOutputs(item, itemPath, errors);
            RubricValidator.Validate(item.ScoringRubric, $"{itemPath}.scoring_rubric", required: false, errors);
        }
    }

    /// <summary>An item's <c>accepted_outputs</c>: at least one string, and its <c>expected</c> among them.</summary>
    private static void ValidateAcceptedOutputs(DatasetItemRequest item, string itemPath, ValidationErrors errors)
    {
        if (item.AcceptedOutputs is not { } accepted)
        {
            return;
        }

        if (accepted.Count == 0 || accepted.Any(a => a is null))
        {
            errors.Add($"{itemPath}.accepted_outputs", "must be a non-empty array of strings.");
        }
        else if (item.Expected is not null && !accepted.Contains(item.Expected, StringComparer.Ordinal))
        {
            errors.Add($"{itemPath}.expected", "is not one of the item's accepted_outputs.");
        }
    }

    /// <summary>
    /// <c>expected_outputs</c>: one entry per item, in item order — a string, an array of acceptable strings, or null
    /// (none) — that agrees with what the item itself says.
    /// </summary>
    private static void ValidateExpectedOutputs(BenchmarkRequest benchmark, string path, ValidationErrors errors)
    {
        if (benchmark.ExpectedOutputs is not { } outputs)
        {
            return;
        }

        var items = benchmark.Dataset?.Items ?? [];
        var outputsPath = $"{path}.expected_outputs";
        if (items.Count == 0)
        {
            errors.Add($"{path}.dataset.items", $"are required: expected_outputs has {outputs.Count} entries, one per item; give the items inline here or imported from a file.");
            return;
        }

        if (outputs.Count != items.Count)
        {
            errors.Add(outputsPath, $"has {outputs.Count} entries but the dataset has {items.Count} items; give one entry per item, in item order (null for an item without one).");
            return;
        }

        for (var i = 0; i < outputs.Count; i++)
        {
            var entryPath = $"{outputsPath}[{i}]";
            if (ExpectedOutput(outputs[i]) is not { } answers)
            {
                errors.Add(entryPath, "must be a string, a non-empty array of strings, or null.");
                continue;
            }

            if (answers.Count == 0 || items[i] is not { } item)
            {
                continue;
            }

            if (item.Expected is not null && !answers.Contains(item.Expected, StringComparer.Ordinal))
            {
                errors.Add(entryPath, $"contradicts dataset.items[{i}].expected (\"{item.Expected}\").");
            }
            else if (item.AcceptedOutputs is { } accepted && (outputs[i].ValueKind == JsonValueKind.Array
                         ? !accepted.SequenceEqual(answers, StringComparer.Ordinal)
                         : !accepted.Contains(answers[0], StringComparer.Ordinal)))
            {
                errors.Add(entryPath, $"contradicts dataset.items[{i}].accepted_outputs.");
            }
        }
    }

    /// <summary>An <c>expected_outputs</c> entry's answers (empty for null), or null when it has another shape.</summary>
    public static IReadOnlyList<string>? ExpectedOutput(JsonElement entry) => entry.ValueKind switch
    {
        JsonValueKind.Null => [],
        JsonValueKind.String => [entry.GetString()!],
        JsonValueKind.Array when entry.GetArrayLength() > 0 && entry.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            [.. entry.EnumerateArray().Select(e => e.GetString()!)],
        _ => null,
    };

    private static void Positive(string path, double? value, double max, ValidationErrors errors)
    {
        if (value is { } v && !(v > 0 && v <= max))
        {
            errors.Add(path, $"must be greater than 0 and at most {max}.");
        }
    }
}
