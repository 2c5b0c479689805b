namespace BenchMesh.LoadEngine.Metrics;

/// <summary>One second of the per-second time series (by intended start).</summary>
/// <param name="Second">Seconds from the start of the run.</param>
/// <param name="Target">Requests planned in this second (open model) or started (closed model).</param>
/// <param name="Requests">Requests of this second that completed.</param>
/// <param name="Errors">Of those, the failed ones.</param>
/// <param name="Dropped">Requests of this second never sent (in-flight pool full).</param>
/// <param name="P50Ms">Median latency from intended start, ms.</param>
/// <param name="P99Ms">99th percentile latency from intended start, ms.</param>
public sealed record TimelinePoint(int Second, long Target, long Requests, long Errors, long Dropped, double P50Ms, double P99Ms)
{
    /// <summary>The series of a run's per-second buckets.</summary>
    public static IReadOnlyList<TimelinePoint> Of(LoadHistograms histograms)
    {
        ArgumentNullException.ThrowIfNull(histograms);
        return [.. histograms.Seconds.Select((bucket, i) => new TimelinePoint(
            i, bucket.Scheduled, bucket.Completed, bucket.Errors, bucket.Dropped,
            LatencySummary.PercentileMs(bucket.Latency, 50), LatencySummary.PercentileMs(bucket.Latency, 99)))];
    }
}
