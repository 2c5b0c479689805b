namespace BenchMesh.Contracts.Regression;

/// <summary>
/// Event: a version of an agent is worse than its baseline on one benchmark and metric (raised once per agent,
/// benchmark, metric and blamed version).
/// On RabbitMQ it is published to the fanout exchange <c>BenchMesh.Contracts.Regression:RegressionDetected</c>;
/// the body is MassTransit's JSON envelope with this record under <c>message</c> (camelCase names).
/// See docs/events.md for consuming it from any AMQP client.
/// </summary>
public sealed record RegressionDetected
{
    /// <summary>2 since the statistics engine: blamed version, path, effect interval, p and q, runs and MDE were added.</summary>
    public int SchemaVersion { get; init; } = 2;
    public required Guid RegressionId { get; init; }
    public required Guid AgentId { get; init; }
    public required string AgentName { get; init; }

    /// <summary>
    /// The workspace of the agent (additive, schema version unchanged): whoever forwards alerts sends them to that
    /// workspace only. Null only in messages published before it was added; those agents belong to <c>default</c>.
    /// </summary>
    public string? WorkspaceId { get; init; }
    public required Guid SuiteId { get; init; }
    public required Guid BenchmarkId { get; init; }
    public required string BenchmarkName { get; init; }

    /// <summary>The version being judged when the alert was raised.</summary>
    public required string CandidateVersion { get; init; }

    /// <summary>The first version of the baseline it was compared with (the stable segment since the last confirmed change).</summary>
    public required string BaselineVersion { get; init; }

    /// <summary>One of <see cref="RegressionMetrics"/>.</summary>
    public required string Metric { get; init; }

    /// <summary><c>higher_is_better</c> or <c>lower_is_better</c>.</summary>
    public required string Direction { get; init; }
    public required double BaselineValue { get; init; }
    public required double CurrentValue { get; init; }

    /// <summary>The effect's estimate in the bad direction (positive = worse): relative on log metrics (0.25 = 25 % worse), points on proportions.</summary>
    public required double RegressionPercentage { get; init; }
    public required double Threshold { get; init; }

    /// <summary><c>minor</c>, <c>major</c> or <c>critical</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>The detector that raised it (<c>benchmesh-engine</c>).</summary>
    public required string Detector { get; init; }

    /// <summary>The version the change is attributed to: the candidate for the gate, an earlier one for a change point.</summary>
    public string? BlamedVersion { get; init; }

    /// <summary>How it was found: <c>gate</c>, <c>confirm</c> or <c>change_point</c>.</summary>
    public string? Path { get; init; }

    /// <summary>
    /// The error budget it answers to (<see cref="RegressionDecisionLevels"/>): <c>one_shot</c> for one comparison of a
    /// candidate with its baseline (Benjamini-Hochberg 5 % across its cells, with the practical threshold), <c>monitor</c>
    /// for a version of a history (at most 0.3 false events per 100 version checks). Null from publishers before it existed.
    /// </summary>
    public string? DecisionLevel { get; init; }

    /// <summary>Relative change on log metrics (0.10 = 10 % more), points on proportions, with its 95 % interval.</summary>
    public RegressionEffect? Effect { get; init; }

    /// <summary>The one-sided p-value of the test, and its Benjamini-Hochberg adjustment across the version's cells.</summary>
    public double? PValue { get; init; }
    public double? QValue { get; init; }

    /// <summary>Runs of the candidate and of the baseline the test used.</summary>
    public int? CandidateRuns { get; init; }
    public int? BaselineRuns { get; init; }

    /// <summary>The smallest change the test could detect with 80 % power at these runs (same unit as <see cref="Effect"/>).</summary>
    public double? MinimumDetectableEffect { get; init; }
    public required Guid ExecutionId { get; init; }
    public required Guid RunId { get; init; }
    public required DateTimeOffset DetectedAt { get; init; }
}

/// <summary>The values of <see cref="RegressionDetected.DecisionLevel"/>.</summary>
public static class RegressionDecisionLevels
{
    public const string OneShot = "one_shot";
    public const string Monitor = "monitor";
}

/// <summary>An effect with its interval (see <see cref="RegressionDetected.Effect"/>).</summary>
public sealed record RegressionEffect(double Estimate, double Lower, double Upper);

/// <summary>The metrics regressions are judged on, with their direction.</summary>
public static class RegressionMetrics
{
    public const string Accuracy = "accuracy";
    public const string LatencyMs = "latency_ms";
    public const string CostPerTaskUsd = "cost_per_task_usd";
    public const string TokensPerTask = "tokens_per_task";
    public const string ErrorRate = "error_rate";
    public const string HigherIsBetter = "higher_is_better";

    /// <summary>The metrics the Regression service judges (and a suite may set thresholds for), in the order reports list them.</summary>
    public static readonly IReadOnlyList<string> Judged = [Accuracy, LatencyMs, CostPerTaskUsd, TokensPerTask, ErrorRate];

    public const string LowerIsBetter = "lower_is_better";
}
