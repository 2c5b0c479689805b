using HdrHistogram;

namespace BenchMesh.LoadEngine.Metrics;

/// <summary>Latency percentiles in milliseconds (from microsecond histograms, 3 significant digits).</summary>
public sealed record LatencySummary(double Mean, double P50, double P90, double P95, double P99, double P999, double Max)
{
    /// <summary>All zero: nothing was recorded.</summary>
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>The summary of a microsecond histogram.</summary>
    public static LatencySummary Of(HistogramBase micros)
    {
        ArgumentNullException.ThrowIfNull(micros);
        return micros.TotalCount == 0
            ? Empty
            : new LatencySummary(
                Ms(micros.GetMean()),
                Ms(micros.GetValueAtPercentile(50)),
                Ms(micros.GetValueAtPercentile(90)),
                Ms(micros.GetValueAtPercentile(95)),
                Ms(micros.GetValueAtPercentile(99)),
                Ms(micros.GetValueAtPercentile(99.9)),
                Ms(micros.GetMaxValue()));
    }

    /// <summary>A value of <paramref name="percentile"/> (0..100) from a microsecond histogram, in milliseconds.</summary>
    public static double PercentileMs(HistogramBase micros, double percentile)
    {
        ArgumentNullException.ThrowIfNull(micros);
        return micros.TotalCount == 0 ? 0 : Ms(micros.GetValueAtPercentile(percentile));
    }

    private static double Ms(double micros) => Math.Round(micros / 1000.0, 3);
}
