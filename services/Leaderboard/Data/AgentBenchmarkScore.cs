using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.Leaderboard.Data;

/// <summary>The leaderboard's projection of one scored execution (from <c>ExecutionScored</c>).</summary>
public sealed class AgentBenchmarkScore
{
    public Guid ExecutionId { get; set; }
    public Guid RunId { get; set; }
    public Guid AgentId { get; set; }
    public required string AgentName { get; set; }
    public required string AgentVersion { get; set; }

    /// <summary>The agent's workspace (<c>default</c> for executions scored before events carried it).</summary>
    public string WorkspaceId { get; set; } = WorkspaceOwner.Default;
    public Guid SuiteId { get; set; }
    public required string SuiteCategory { get; set; }
    public Guid BenchmarkId { get; set; }
    public required string BenchmarkName { get; set; }
    public required string BenchmarkCategory { get; set; }
    /// <summary>The event's status (completed | failed).</summary>
    public required string Status { get; set; }

    /// <summary>The specification's status (§1.2; <see cref="ExecutionStatusValues"/>), which the analytics views filter on.</summary>
    public required string ExecutionStatus { get; set; }
    public double AccuracyScore { get; set; }
    public double SpeedScore { get; set; }
    public double EfficiencyScore { get; set; }
    public double CostScore { get; set; }
    public double ReliabilityScore { get; set; }
    public double OverallScore { get; set; }
    public int Samples { get; set; }
    public double ErrorRate { get; set; }
    public double MedianLatencyMs { get; set; }
    public double P95LatencyMs { get; set; }
    public double MeanTokensPerTask { get; set; }
    public double MeanCostPerTaskUsd { get; set; }
    public long TokensUsed { get; set; }
    public decimal TotalCostUsd { get; set; }
    public int ApiCallsMade { get; set; }

    /// <summary>Per measured pass (snake_case JSON array of the contract's IterationMetrics), for significance tests.</summary>
    public required string PerIteration { get; set; }

    /// <summary>Per item [successes, attempts] (JSON object).</summary>
    public required string ItemOutcomes { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
}
