using System.Text.Json;

namespace BenchMesh.Cli.Gateway;

// Typed views of GET /benchmarks/agents/{agent_id}/cost-analysis (docs/api.md, "Cost analysis"): the fields the
// CLI shows. Money stays decimal, as the API writes it.

public sealed record CostConfiguration(string? ConfigurationId, string? AgentVersion, JsonElement? ModelConfiguration);

public sealed record BenchmarkCost(
    string? BenchmarkId,
    string? BenchmarkName,
    string? Status,
    decimal? CostUsd,
    int? SuccessfulTasks,
    int? FailedTasks,
    decimal? Value,
    string? Reason);

public sealed record BenchmarkPerformancePerDollar(string? BenchmarkId, double? PerformanceScore, double? Value, string? Reason);

public sealed record CostConfigurationSummary(
    string? ConfigurationId,
    string? AgentVersion,
    JsonElement? ModelConfiguration,
    bool IsCurrent,
    bool Comparable,
    int? Benchmarks,
    decimal? CostPerTaskUsd,
    double? Performance,
    bool? OnFrontier,
    double? EfficiencyScore,
    decimal? EstimatedSavings);

public sealed record OptimalCostConfiguration(CostConfiguration? Configuration, double? EfficiencyScore, decimal? EstimatedSavings, bool IsCurrent);

public sealed record CostOpportunityItem(string? Kind, string? Description, decimal? MonthlySavingsUsd);

public sealed record CostAnalysisReport(
    string? AgentId,
    string? AgentName,
    string? SuiteId,
    long? MonthlyTasks,
    CostConfiguration? CurrentConfiguration,
    IReadOnlyList<BenchmarkCost>? CostPerTask,
    IReadOnlyList<BenchmarkPerformancePerDollar>? PerformancePerDollar,
    IReadOnlyList<CostConfigurationSummary>? Configurations,
    IReadOnlyList<OptimalCostConfiguration>? OptimalConfigurations,
    IReadOnlyList<CostOpportunityItem>? CostOptimizationOpportunities);
