namespace BenchMesh.Cli.Gateway;

// Typed views of POST /benchmarks/compare (docs/api.md, "Compare"); only the fields the CLI shows.

public sealed record CompareRequest(IReadOnlyList<string> AgentIds, string SuiteId, string ComparisonType);

/// <summary>A compared agent version; <see cref="Ref"/> (<c>agent_id@version</c>) is how winners name it.</summary>
public sealed record ComparedAgent(
    string Ref,
    string? AgentId,
    string? AgentName,
    string? AgentVersion,
    int? Executions,
    double? OverallScore,
    double? AccuracyScore,
    double? SpeedScore,
    double? EfficiencyScore,
    double? CostScore,
    double? ReliabilityScore)
{
    public string Label => AgentName is null ? Ref : $"{AgentName} {AgentVersion}";
}

public sealed record CompareSignificance(
    string? Test,
    string? Basis,
    double? PValue,
    double? QValue,
    bool Significant,
    int? AgentASamples,
    int? AgentBSamples,
    string? SampleUnit);

public sealed record MetricComparison(
    string Metric,
    double? AgentAScore,
    double? AgentBScore,
    double? Difference,
    double? PercentageDifference,
    string? Winner,
    CompareSignificance? StatisticalSignificance,
    string? Note);

public sealed record CategoryComparison(string Category, int? Benchmarks, string? Winner, int? AgentAWins, int? AgentBWins);

/// <summary>One pair's head-to-head: the <c>head_to_head</c> answer itself, or one of a matrix's <c>pairs</c>.</summary>
public sealed record PairComparison(
    ComparedAgent AgentA,
    ComparedAgent AgentB,
    string? OverallWinner,
    int? AgentAWins,
    int? AgentBWins,
    IReadOnlyList<CategoryComparison>? Categories,
    IReadOnlyList<MetricComparison>? DetailedMetrics,
    IReadOnlyList<string>? Recommendations)
{
    /// <summary>The name of the agent version a winner's ref designates, or null for no winner.</summary>
    public string? LabelOf(string? winner) =>
        winner is null ? null : winner == AgentA.Ref ? AgentA.Label : winner == AgentB.Ref ? AgentB.Label : winner;
}

public sealed record ComparisonMatrix(IReadOnlyList<ComparedAgent>? Agents, IReadOnlyList<PairComparison>? Pairs);
