using HdrHistogram;

namespace BenchMesh.LoadEngine.Metrics;

/// <summary>
/// Everything a run recorded, in a form that adds up: three microsecond HdrHistograms (latency from the intended
/// start, service time from send to the end of the answer, the generator's schedule lag from intended start to send)
/// and one bucket per second of the run. Results of several generators that shared one schedule (each its part of
/// the rate, a common start) merge with <see cref="Add"/>, so their percentiles are the percentiles of all requests,
/// not an average of percentiles. Not thread-safe; the engine records under its own lock.
/// </summary>
public sealed class LoadHistograms
{
    /// <summary>The largest latency a histogram tracks: one hour, in microseconds.</summary>
    public const long HighestTrackableMicros = 3_600_000_000;

    private readonly List<SecondBucket> _seconds = [];

    /// <summary>Latency from each request's intended start to the end of its answer (µs).</summary>
    public LongHistogram Latency { get; } = NewHistogram(3);

    /// <summary>Send to the end of the answer (µs): what the server took, without the generator's own delays.</summary>
    public LongHistogram ServiceTime { get; } = NewHistogram(3);

    /// <summary>Intended start to actual send (µs): how late the generator was.</summary>
    public LongHistogram ScheduleLag { get; } = NewHistogram(3);

    /// <summary>One bucket per second of the run, by intended start.</summary>
    public IReadOnlyList<SecondBucket> Seconds => _seconds;

    /// <summary>Adds another run's recordings to these (histograms and per-second buckets, second by second).</summary>
    public void Add(LoadHistograms other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Latency.Add(other.Latency);
        ServiceTime.Add(other.ServiceTime);
        ScheduleLag.Add(other.ScheduleLag);
        for (var i = 0; i < other._seconds.Count; i++)
        {
            Second(i).Add(other._seconds[i]);
        }
    }

    /// <summary>The bucket of second <paramref name="index"/> from the start, created (with those before it) on first use.</summary>
    public SecondBucket Second(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        while (_seconds.Count <= index)
        {
            _seconds.Add(new SecondBucket());
        }

        return _seconds[index];
    }

    /// <summary>Records one answered (or failed) request.</summary>
    internal void Record(long latencyMicros, long serviceMicros, long lagMicros)
    {
        Latency.RecordValue(Clamp(latencyMicros));
        ServiceTime.RecordValue(Clamp(serviceMicros));
        ScheduleLag.RecordValue(Clamp(lagMicros));
    }

    internal static LongHistogram NewHistogram(int significantDigits) => new(1, HighestTrackableMicros, significantDigits);

    internal static long Clamp(long micros) => Math.Clamp(micros, 1, HighestTrackableMicros);
}

/// <summary>
/// One second of a run, by intended start: requests planned, completed, failed and dropped, and their latency
/// (µs, 2 significant digits: enough for a per-second p50/p99, small enough to keep one per second of a long run).
/// </summary>
public sealed class SecondBucket
{
    /// <summary>Requests intended in this second (open model), or started (closed model); dropped ones included.</summary>
    public long Scheduled { get; internal set; }

    /// <summary>Requests of this second that got an answer or failed (not dropped, not interrupted).</summary>
    public long Completed { get; internal set; }

    /// <summary>Completed requests that failed.</summary>
    public long Errors { get; internal set; }

    /// <summary>Requests of this second that were never sent because the in-flight pool was full.</summary>
    public long Dropped { get; internal set; }

    /// <summary>Latency from intended start of this second's completed requests (µs).</summary>
    public LongHistogram Latency { get; } = LoadHistograms.NewHistogram(2);

    internal void Add(SecondBucket other)
    {
        Scheduled += other.Scheduled;
        Completed += other.Completed;
        Errors += other.Errors;
        Dropped += other.Dropped;
        Latency.Add(other.Latency);
    }
}
