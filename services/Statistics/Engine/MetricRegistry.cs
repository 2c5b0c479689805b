namespace BenchMesh.Statistics.Engine;

/// <summary>
/// The metrics BenchMesh judges, each with its direction, scale and practical threshold. A suite can override
/// thresholds (<see cref="WithThresholds"/>); a metric the registry does not know must be declared in full by
/// whoever submits it.
/// </summary>
public sealed class MetricRegistry
{
    public const string Accuracy = "accuracy";
    public const string LatencyMs = "latency_ms";
    public const string CostPerTaskUsd = "cost_per_task_usd";
    public const string TokensPerTask = "tokens_per_task";
    public const string ErrorRate = "error_rate";
    public const string Reliability = "reliability";
    public const string TimeToFirstTokenMs = "ttft_ms";
    public const string ThroughputRps = "throughput_rps";

    /// <summary>
    /// The defaults: 3 % for latency (the smallest change worth acting on at the noise of a good testbed), 5 % for
    /// cost and tokens (billing noise and prompt drift), 1 point for accuracy and for error and success rates.
    /// </summary>
    public static MetricRegistry Default { get; } = new(new Dictionary<string, MetricDefinition>(StringComparer.Ordinal)
    {
        [Accuracy] = new(Accuracy, MetricDirection.HigherIsBetter, MetricScale.Proportion, 0.01),
        [Reliability] = new(Reliability, MetricDirection.HigherIsBetter, MetricScale.Proportion, 0.01),
        [ErrorRate] = new(ErrorRate, MetricDirection.LowerIsBetter, MetricScale.Proportion, 0.01),
        [LatencyMs] = new(LatencyMs, MetricDirection.LowerIsBetter, MetricScale.Log, 0.03),
        [TimeToFirstTokenMs] = new(TimeToFirstTokenMs, MetricDirection.LowerIsBetter, MetricScale.Log, 0.03),
        [ThroughputRps] = new(ThroughputRps, MetricDirection.HigherIsBetter, MetricScale.Log, 0.03),
        [CostPerTaskUsd] = new(CostPerTaskUsd, MetricDirection.LowerIsBetter, MetricScale.Log, 0.05),
        [TokensPerTask] = new(TokensPerTask, MetricDirection.LowerIsBetter, MetricScale.Log, 0.05),
    });

    private readonly IReadOnlyDictionary<string, MetricDefinition> _metrics;

    public MetricRegistry(IReadOnlyDictionary<string, MetricDefinition> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var (name, metric) in metrics)
        {
            Validate(metric);
            if (!string.Equals(name, metric.Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Metric '{metric.Name}' is registered under the name '{name}'.", nameof(metrics));
            }
        }

        _metrics = metrics;
    }

    public IEnumerable<MetricDefinition> Metrics => _metrics.Values;

    public bool TryGet(string name, out MetricDefinition metric) => _metrics.TryGetValue(name, out metric!);

    public MetricDefinition Get(string name) =>
        _metrics.TryGetValue(name, out var metric) ? metric : throw new KeyNotFoundException($"Unknown metric '{name}'.");

    /// <summary>A registry with some thresholds replaced (a suite's overrides); unknown names are an error.</summary>
    public MetricRegistry WithThresholds(IReadOnlyDictionary<string, double> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var metrics = new Dictionary<string, MetricDefinition>(_metrics, StringComparer.Ordinal);
        foreach (var (name, threshold) in thresholds)
        {
            if (!metrics.TryGetValue(name, out var metric))
            {
                throw new KeyNotFoundException($"Unknown metric '{name}'.");
            }

            metrics[name] = metric with { Threshold = threshold };
        }

        return new MetricRegistry(metrics);
    }

    /// <summary>Throws when a definition cannot be judged: no name, or a threshold that is not a positive number (below 1 for proportions).</summary>
    public static void Validate(MetricDefinition metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (string.IsNullOrWhiteSpace(metric.Name))
        {
            throw new ArgumentException("A metric needs a name.", nameof(metric));
        }

        if (!IsValidThreshold(metric.Scale, metric.Threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(metric), metric.Threshold, ThresholdRule(metric.Scale));
        }
    }

    public static bool IsValidThreshold(MetricScale scale, double threshold) =>
        double.IsFinite(threshold) && threshold > 0 && (scale != MetricScale.Proportion || threshold < 1);

    public static string ThresholdRule(MetricScale scale) => scale == MetricScale.Proportion
        ? "The threshold of a proportion is in points: greater than 0 and less than 1."
        : "The threshold must be a positive number.";
}
