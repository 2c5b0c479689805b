using System.Globalization;

namespace BenchMesh.LoadEngine.Thresholds;

/// <summary>How a threshold compares the observed value with its limit.</summary>
public enum Comparison
{
    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
}

/// <summary>
/// A pass/fail criterion, k6-style: <c>metric op value[,abort_on_fail][,grace=5s][,window=5s]</c>, e.g. <c>p99&lt;500ms</c>,
/// <c>p95&lt;=2s</c>, <c>error_rate&lt;1%</c>, <c>error_rate&lt;0.01</c>, <c>achieved_rate&gt;=0.98*target</c>, <c>rps&gt;=100</c>.
/// Metrics: latency from intended start <c>p50 p90 p95 p99 p99.9 max avg</c> (also <c>p(99)</c>; a value with a unit
/// <c>us ms s m</c>, or a bare number of milliseconds); <c>error_rate</c> and <c>dropped_rate</c> (a fraction, or a
/// percentage); <c>achieved_rate</c> or <c>rps</c> (completed requests per second: an absolute number, or relative to
/// the planned rate as <c>0.98*target</c> or <c>98%</c>). Every threshold is judged at the end of a run; with
/// <c>abort_on_fail</c> it is also judged once a second over the last <c>window</c> (default 5 s) after <c>grace</c>
/// (default 5 s), and the run stops when it fails.
/// </summary>
public sealed record Threshold
{
    /// <summary>The sliding window an abort rule looks at unless it says otherwise.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(5);

    /// <summary>How long an abort rule waits after the start before it judges, unless it says otherwise.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, (string Metric, MetricKind Kind, double Percentile)> Metrics = new(StringComparer.OrdinalIgnoreCase)
    {
        ["p50"] = ("p50", MetricKind.Latency, 50),
        ["p90"] = ("p90", MetricKind.Latency, 90),
        ["p95"] = ("p95", MetricKind.Latency, 95),
        ["p99"] = ("p99", MetricKind.Latency, 99),
        ["p99.9"] = ("p99.9", MetricKind.Latency, 99.9),
        ["p999"] = ("p99.9", MetricKind.Latency, 99.9),
        ["max"] = ("max", MetricKind.Latency, 100),
        ["avg"] = ("avg", MetricKind.Latency, -1),
        ["error_rate"] = ("error_rate", MetricKind.Fraction, 0),
        ["dropped_rate"] = ("dropped_rate", MetricKind.Fraction, 0),
        ["achieved_rate"] = ("achieved_rate", MetricKind.Throughput, 0),
        ["rps"] = ("rps", MetricKind.Throughput, 0),
    };

    private enum MetricKind
    {
        Latency,
        Fraction,
        Throughput,
    }

    private Threshold()
    {
    }

    /// <summary>The expression as written.</summary>
    public required string Expression { get; init; }

    /// <summary>The metric's canonical name: p50, p90, p95, p99, p99.9, max, avg, error_rate, dropped_rate, achieved_rate, rps.</summary>
    public required string Metric { get; init; }

    /// <summary>The comparison.</summary>
    public required Comparison Comparison { get; init; }

    /// <summary>The limit: milliseconds, a fraction, requests per second, or (when <see cref="RelativeToTarget"/>) a factor of the target rate.</summary>
    public required double Value { get; init; }

    /// <summary>True when <see cref="Value"/> multiplies the planned rate (<c>0.98*target</c>, <c>98%</c>).</summary>
    public bool RelativeToTarget { get; init; }

    /// <summary>Judge over a sliding window while running and stop the run when it fails.</summary>
    public bool AbortOnFail { get; init; }

    /// <summary>Time from the start before an abort rule is judged.</summary>
    public TimeSpan Grace { get; init; } = DefaultGrace;

    /// <summary>The sliding window an abort rule is judged over.</summary>
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>Parses an expression.</summary>
    /// <exception cref="ThresholdFormatException">The expression is malformed; the message names it and the problem.</exception>
    public static Threshold Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var parts = expression.Split(',', StringSplitOptions.TrimEntries);
        var rule = parts[0].Replace(" ", "", StringComparison.Ordinal);
        var opIndex = rule.IndexOfAny(['<', '>', '=']);
        if (opIndex <= 0)
        {
            throw new ThresholdFormatException(expression, "expected metric, comparison and value, e.g. p99<500ms or error_rate<1%.");
        }

        var metricText = rule[..opIndex];
        // k6 writes percentiles as p(95).
        if (metricText.StartsWith("p(", StringComparison.OrdinalIgnoreCase) && metricText.EndsWith(')'))
        {
            metricText = "p" + metricText[2..^1];
        }

        if (!Metrics.TryGetValue(metricText, out var metric))
        {
            throw new ThresholdFormatException(expression, $"unknown metric '{metricText}'; use one of p50, p90, p95, p99, p99.9, max, avg, error_rate, dropped_rate, achieved_rate, rps.");
        }

        var rest = rule[opIndex..];
        var (comparison, opLength) = rest switch
        {
            _ when rest.StartsWith("<=", StringComparison.Ordinal) => (Comparison.LessOrEqual, 2),
            _ when rest.StartsWith(">=", StringComparison.Ordinal) => (Comparison.GreaterOrEqual, 2),
            _ when rest.StartsWith('<') => (Comparison.Less, 1),
            _ when rest.StartsWith('>') => (Comparison.Greater, 1),
            _ => throw new ThresholdFormatException(expression, $"unknown comparison in '{rest}'; use <, <=, > or >=."),
        };
        var valueText = rest[opLength..];
        if (valueText.Length == 0)
        {
            throw new ThresholdFormatException(expression, "the value is missing.");
        }

        var (value, relative) = ParseValue(expression, metric.Kind, valueText);
        var threshold = new Threshold
        {
            Expression = expression.Trim(),
            Metric = metric.Metric,
            Comparison = comparison,
            Value = value,
            RelativeToTarget = relative,
        };
        foreach (var option in parts.Skip(1))
        {
            threshold = ApplyOption(expression, threshold, option);
        }

        return threshold;
    }

    /// <summary>Judges the threshold on a run's (or a window's) figures.</summary>
    public ThresholdResult Evaluate(MetricSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var observed = Observe(snapshot);
        double? limit = RelativeToTarget ? snapshot.TargetRps * Value : Value;
        if (limit is not { } l)
        {
            return new ThresholdResult(Expression, Metric, false, observed, null, "the run has no target rate (closed model)");
        }

        var passed = Comparison switch
        {
            Comparison.Less => observed < l,
            Comparison.LessOrEqual => observed <= l,
            Comparison.Greater => observed > l,
            _ => observed >= l,
        };
        return new ThresholdResult(Expression, Metric, passed, Math.Round(observed, 6), Math.Round(l, 6), null);
    }

    private double Observe(MetricSnapshot s) => Metric switch
    {
        "p50" => s.LatencyMs.P50,
        "p90" => s.LatencyMs.P90,
        "p95" => s.LatencyMs.P95,
        "p99" => s.LatencyMs.P99,
        "p99.9" => s.LatencyMs.P999,
        "max" => s.LatencyMs.Max,
        "avg" => s.LatencyMs.Mean,
        "error_rate" => s.ErrorRate,
        "dropped_rate" => s.DroppedRate,
        _ => s.AchievedRps,
    };

    private static (double Value, bool Relative) ParseValue(string expression, MetricKind kind, string text)
    {
        switch (kind)
        {
            case MetricKind.Latency:
                if (DurationText.TryParse(text, out var duration))
                {
                    return (duration.TotalMilliseconds, false);
                }

                return TryNumber(text, out var ms) && ms >= 0
                    ? (ms, false)
                    : throw new ThresholdFormatException(expression, $"'{text}' is not a latency; write e.g. 500ms, 2s or 250 (milliseconds).");
            case MetricKind.Fraction:
                if (text.EndsWith('%'))
                {
                    return TryNumber(text[..^1], out var percent) && percent is >= 0 and <= 100
                        ? (percent / 100, false)
                        : throw new ThresholdFormatException(expression, $"'{text}' is not a percentage between 0% and 100%.");
                }

                return TryNumber(text, out var fraction) && fraction is >= 0 and <= 1
                    ? (fraction, false)
                    : throw new ThresholdFormatException(expression, $"'{text}' is not a rate; write a fraction between 0 and 1 (0.01) or a percentage (1%).");
            default:
                if (text.EndsWith("*target", StringComparison.OrdinalIgnoreCase))
                {
                    return TryNumber(text[..^"*target".Length], out var factor) && factor >= 0
                        ? (factor, true)
                        : throw new ThresholdFormatException(expression, $"'{text}' is not a factor of the target; write e.g. 0.98*target.");
                }

                if (text.EndsWith('%'))
                {
                    return TryNumber(text[..^1], out var percentOfTarget) && percentOfTarget >= 0
                        ? (percentOfTarget / 100, true)
                        : throw new ThresholdFormatException(expression, $"'{text}' is not a percentage of the target; write e.g. 98%.");
                }

                return TryNumber(text, out var rps) && rps >= 0
                    ? (rps, false)
                    : throw new ThresholdFormatException(expression, $"'{text}' is not a rate; write requests per second (100), 0.98*target or 98%.");
        }
    }

    private static Threshold ApplyOption(string expression, Threshold threshold, string option)
    {
        var pair = option.Split('=', 2, StringSplitOptions.TrimEntries);
        switch (pair[0].ToLowerInvariant())
        {
            case "abort_on_fail" when pair.Length == 1:
                return threshold with { AbortOnFail = true };
            case "grace" when pair.Length == 2 && DurationText.TryParse(pair[1], out var grace):
                return threshold with { Grace = grace };
            case "window" when pair.Length == 2 && DurationText.TryParse(pair[1], out var window) && window >= TimeSpan.FromSeconds(1):
                return threshold with { Window = window };
            default:
                throw new ThresholdFormatException(expression, $"unknown option '{option}'; use abort_on_fail, grace=DURATION or window=DURATION (at least 1s).");
        }
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
