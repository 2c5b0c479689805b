using System.Diagnostics.CodeAnalysis;
using BenchMesh.Leaderboard.Ranking;

namespace BenchMesh.Leaderboard.Apis;

/// <summary>
/// Ids arrive as strings so that a malformed one is a field error rather than a bare 400. Each <c>agent_ids</c> entry
/// is <c>"&lt;agent_id&gt;"</c> (the agent's latest version with executions on the suite) or
/// <c>"&lt;agent_id&gt;@&lt;version&gt;"</c> (that version): one list serves two agents and two versions of one agent alike.
/// </summary>
public sealed record CompareRequest(IReadOnlyList<string>? AgentIds, string? SuiteId, string? ComparisonType);

/// <summary>One parsed <c>agent_ids</c> entry; <see cref="Version"/> null for "the latest".</summary>
public sealed record AgentEntry(Guid AgentId, string? Version)
{
    /// <summary>The length of the Leaderboard's agent_version column.</summary>
    public const int MaxVersionLength = 100;

    /// <summary>Splits at the first '@': a GUID has none, so everything after it is the version, '@'s included.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out AgentEntry? entry, [NotNullWhen(false)] out string? problem)
    {
        entry = null;
        var value = text?.Trim() ?? "";
        var at = value.IndexOf('@', StringComparison.Ordinal);
        var id = at < 0 ? value : value[..at];
        var version = at < 0 ? null : value[(at + 1)..].Trim();
        problem = !Guid.TryParse(id, out var agentId) ? "must be an agent id (a GUID), optionally followed by @version."
            : version is { Length: 0 } ? "names no version after '@' (give one, or leave '@' out for the latest)."
            : version is { Length: > MaxVersionLength } ? $"has a version longer than {MaxVersionLength} characters."
            : null;
        if (problem is null)
        {
            entry = new AgentEntry(agentId, version);
        }

        return problem is null;
    }

    /// <summary>The entry as the request gives it.</summary>
    public override string ToString() => Version is null ? AgentId.ToString() : $"{AgentId}@{Version}";

    public string Describe() => Version is null ? $"agent {AgentId}" : $"agent {AgentId} version {Version}";
}

/// <summary>A compared agent version: its <see cref="Ref"/>, mean scores and mean per-task figures on the suite.</summary>
public sealed record ComparedAgent(
    string Ref, Guid AgentId, string AgentName, string AgentVersion, int Executions, int Benchmarks,
    double OverallScore, double AccuracyScore, double SpeedScore, double EfficiencyScore, double CostScore, double ReliabilityScore,
    double MeanCostPerTaskUsd, double MedianLatencyMs, double MeanTokensPerTask, double ErrorRate)
{
    public static ComparedAgent Of(AgentExecutions a)
    {
        var s = ScoreSet.Mean(a.Executions.Select(e => e.Scores).ToList());
        var f = a.MeanFigures;
        return new(a.Ref, a.AgentId, a.AgentName, a.AgentVersion, a.Executions.Count, a.Executions.Select(e => e.BenchmarkId).Distinct().Count(),
            s.Overall, s.Accuracy, s.Speed, s.Efficiency, s.Cost, s.Reliability,
            f.MeanCostPerTaskUsd, f.MedianLatencyMs, f.MeanTokensPerTask, f.ErrorRate);
    }
}

/// <summary>
/// §3.2's <c>ComparisonResult</c> for one pair: <c>overall_winner</c>, <c>category_winners</c> (category → winner's ref,
/// null for a tie), <c>detailed_metrics</c>, <c>statistical_significance</c> (metric → two-sided p-value; the full
/// evidence is in each detailed metric) and <c>recommendations</c>, with the two agents and the win counts behind the
/// majority rule. Winners are <see cref="ComparedAgent.Ref"/>s.
/// </summary>
public record PairComparison(
    ComparedAgent AgentA,
    ComparedAgent AgentB,
    string? OverallWinner,
    int AgentAWins,
    int AgentBWins,
    IReadOnlyDictionary<string, string?> CategoryWinners,
    IReadOnlyList<CategoryComparison> Categories,
    IReadOnlyList<MetricComparison> DetailedMetrics,
    IReadOnlyDictionary<string, double> StatisticalSignificance,
    IReadOnlyList<string> Recommendations);

/// <summary>
/// The <c>head_to_head</c> answer: the pair's fields at the top level, as §3.2 returns them, plus the request's
/// <c>comparison_type</c> and <c>suite_id</c>. It derives from <see cref="PairComparison"/> (through the record's copy
/// constructor) so that the matrix's pairs and this answer cannot drift apart.
/// </summary>
public sealed record HeadToHeadResponse : PairComparison
{
    public HeadToHeadResponse(Guid suiteId, PairComparison pair)
        : base(pair)
    {
        SuiteId = suiteId;
    }

    public string ComparisonType => CompareApi.HeadToHead;

    public Guid SuiteId { get; }
}

/// <summary>The <c>matrix</c> answer: the agents in request order and every pair (i &lt; j), n(n−1)/2 of them.</summary>
public sealed record MatrixResponse(string ComparisonType, Guid SuiteId, IReadOnlyList<ComparedAgent> Agents, IReadOnlyList<PairComparison> Pairs);
