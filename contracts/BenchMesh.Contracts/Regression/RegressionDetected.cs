namespace BenchMesh.Contracts.Regression;

/// <summary>
/// Event: a version of an agent is worse than its baseline on one benchmark and metric.
/// On RabbitMQ it is published to the fanout exchange <c>BenchMesh.Contracts.Regression:RegressionDetected</c>;
/// the body is MassTransit's JSON envelope with this record under <c>message</c> (camelCase names).
/// See docs/events.md for consuming it from any AMQP client.
/// </summary>
public sealed record RegressionDetected
{
    public int SchemaVersion { get; init; } = 1;
    public required Guid RegressionId { get; init; }
    public required Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public required Guid SuiteId { get; init; }
    public required Guid BenchmarkId { get; init; }
    public required string BenchmarkName { get; init; }

    /// <summary>The version judged.</summary>
    public required string CandidateVersion { get; init; }

    /// <summary>The version it was compared with.</summary>
    public required string BaselineVersion { get; init; }

    /// <summary>One of <see cref="RegressionMetrics"/>.</summary>
    public required string Metric { get; init; }

    /// <summary><c>higher_is_better</c> or <c>lower_is_better</c>.</summary>
    public required string Direction { get; init; }
    public required double BaselineValue { get; init; }
    public required double CurrentValue { get; init; }

    /// <summary>How much worse, as a fraction of the baseline (0.25 = 25 % worse).</summary>
    public required double RegressionPercentage { get; init; }
    public required double Threshold { get; init; }

    /// <summary><c>minor</c>, <c>major</c> or <c>critical</c>.</summary>
    public required string Severity { get; init; }

    /// <summary>The detector that raised it (<c>threshold</c> today).</summary>
    public required string Detector { get; init; }
    public required Guid ExecutionId { get; init; }
    public required Guid RunId { get; init; }
    public required DateTimeOffset DetectedAt { get; init; }
}

/// <summary>The metrics regressions are judged on, with their direction.</summary>
public static class RegressionMetrics
{
    public const string Accuracy = "accuracy";
    public const string LatencyMs = "latency_ms";
    public const string CostPerTaskUsd = "cost_per_task_usd";
    public const string TokensPerTask = "tokens_per_task";
    public const string ErrorRate = "error_rate";
    public const string HigherIsBetter = "higher_is_better";
    public const string LowerIsBetter = "lower_is_better";
}
