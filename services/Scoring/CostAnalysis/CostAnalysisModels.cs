using System.Text.Json;

namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>A configuration as answers show it: its id, the agent version and the model configuration it ran with.</summary>
public sealed record ConfigurationDescriptor(string ConfigurationId, string AgentVersion, JsonElement? ModelConfiguration)
{
    public static ConfigurationDescriptor From(ConfigurationKey key) => new(key.Id, key.AgentVersion, CostJson.Parse(key.ModelConfiguration));
}

/// <summary>
/// §8.1's cost per successful task of one benchmark: the execution's cost over its successful tasks. Null, with a
/// <paramref name="Reason"/>, when the benchmark has no successful execution in the window.
/// </summary>
public sealed record BenchmarkCostPerTask(
    Guid SuiteId,
    Guid BenchmarkId,
    string BenchmarkName,
    Guid ExecutionId,
    string Status,
    DateTimeOffset ExecutedAt,
    decimal CostUsd,
    int SuccessfulTasks,
    int FailedTasks,
    decimal? Value,
    string? Reason);

/// <summary>
/// §8.1's performance per dollar of one benchmark: accuracy_score × speed_score over the execution's cost_usd. Null,
/// with a <paramref name="Reason"/>, when the execution cost nothing or the benchmark has no successful execution.
/// </summary>
public sealed record BenchmarkPerformancePerDollar(
    Guid SuiteId,
    Guid BenchmarkId,
    string BenchmarkName,
    Guid ExecutionId,
    double AccuracyScore,
    double SpeedScore,
    double PerformanceScore,
    decimal CostUsd,
    double? Value,
    string? Reason);

/// <summary>
/// One configuration's figures over its benchmarks (means of the per-benchmark values) and its place against the
/// frontier. <paramref name="Comparable"/> is false when it lacks a benchmark of the comparison set: it is then shown
/// over its own benchmarks, without a frontier position or savings.
/// </summary>
/// <param name="EstimatedSavings">USD a month at the requested volume against the current configuration (negative: it costs more).</param>
public sealed record ConfigurationSummary(
    string ConfigurationId,
    string AgentVersion,
    JsonElement? ModelConfiguration,
    bool IsCurrent,
    bool Comparable,
    int Benchmarks,
    decimal CostPerTaskUsd,
    double Performance,
    double AccuracyScore,
    double SpeedScore,
    bool? OnFrontier,
    double? EfficiencyScore,
    double? PerformanceEfficiency,
    double? CostEfficiency,
    decimal? EstimatedSavings,
    DateTimeOffset LatestExecutionAt);

/// <summary>A configuration above the efficiency threshold (§8.1's <c>optimal_configurations</c> entry).</summary>
/// <param name="EstimatedSavings">USD a month at the requested volume against the current configuration (negative: it costs more).</param>
public sealed record OptimalConfiguration(
    ConfigurationDescriptor Configuration,
    double EfficiencyScore,
    decimal EstimatedSavings,
    decimal CostPerTaskUsd,
    double Performance,
    bool IsCurrent);

/// <summary>A way to spend less, in words with its figures.</summary>
/// <param name="Kind">cheaper_configuration | current_off_frontier | warm_up_cost | judge_cost | failed_calls_paid | failed_execution_paid.</param>
/// <param name="MonthlySavingsUsd">USD a month at the requested volume, where the opportunity is a change of configuration.</param>
public sealed record CostOpportunity(string Kind, string Description, decimal? MonthlySavingsUsd);

/// <summary>The analysis of one agent (§8.1).</summary>
public sealed record AgentCostAnalysis(
    ConfigurationDescriptor? CurrentConfiguration,
    IReadOnlyList<BenchmarkCostPerTask> CostPerTask,
    IReadOnlyList<BenchmarkPerformancePerDollar> PerformancePerDollar,
    IReadOnlyList<ConfigurationSummary> Configurations,
    IReadOnlyList<OptimalConfiguration> OptimalConfigurations,
    IReadOnlyList<CostOpportunity> CostOptimizationOpportunities);

/// <summary>One agent configuration on the cross-agent cost–performance scatter.</summary>
public sealed record FrontierEntry(
    Guid AgentId,
    string AgentName,
    string ConfigurationId,
    string AgentVersion,
    JsonElement? ModelConfiguration,
    bool Comparable,
    int Benchmarks,
    decimal CostPerTaskUsd,
    double Performance,
    double AccuracyScore,
    double SpeedScore,
    bool? OnFrontier,
    double? EfficiencyScore,
    double? PerformanceEfficiency,
    double? CostEfficiency,
    DateTimeOffset LatestExecutionAt);

/// <summary>The paid-for failed calls of one execution (samples with an error and a cost).</summary>
public sealed record PaidFailures(int Calls, decimal CostUsd);

internal static class CostJson
{
    public static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
