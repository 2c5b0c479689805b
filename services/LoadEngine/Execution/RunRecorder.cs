using System.Globalization;
using BenchMesh.LoadEngine.Metrics;
using BenchMesh.LoadEngine.Thresholds;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>A run's counters and histograms, recorded from many threads under one short lock.</summary>
internal sealed class RunRecorder
{
    private readonly Lock _lock = new();
    private readonly LoadHistograms _histograms = new();
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
    // Counts by HTTP status (100-599), an array rather than a dictionary: this is on every request's path.
    private readonly long[] _statuses = new long[600];
    private long _started, _completed, _failed, _dropped, _late, _interrupted, _responses429, _withRetryAfter;
    private double _maxRetryAfterSeconds;

    public void Scheduled(int second, bool dropped)
    {
        lock (_lock)
        {
            var bucket = _histograms.Second(second);
            bucket.Scheduled++;
            if (dropped)
            {
                bucket.Dropped++;
                _dropped++;
            }
            else
            {
                _started++;
            }
        }
    }

    public void Late()
    {
        lock (_lock)
        {
            _late++;
        }
    }

    public void Interrupted(int second, bool counted)
    {
        lock (_lock)
        {
            _interrupted++;
            if (!counted)
            {
                _histograms.Second(second).Scheduled++;
                _started++;
            }
        }
    }

    /// <summary>
    /// Records a finished request. <paramref name="counted"/> is false for the closed model, whose requests are counted as
    /// started here rather than in a separate call (one lock per request instead of two).
    /// </summary>
    public void Completed(int second, long latencyMicros, long serviceMicros, long lagMicros, int? status, string? errorKind, TimeSpan? retryAfter, bool counted)
    {
        lock (_lock)
        {
            _completed++;
            _histograms.Record(latencyMicros, serviceMicros, lagMicros);
            var bucket = _histograms.Second(second);
            bucket.Completed++;
            if (!counted)
            {
                bucket.Scheduled++;
                _started++;
            }

            bucket.Latency.RecordValue(LoadHistograms.Clamp(latencyMicros));
            if (status is { } s)
            {
                _statuses[Math.Clamp(s, 0, _statuses.Length - 1)]++;
                if (s == 429)
                {
                    _responses429++;
                    if (retryAfter is { } wait)
                    {
                        _withRetryAfter++;
                        _maxRetryAfterSeconds = Math.Max(_maxRetryAfterSeconds, Math.Max(0, wait.TotalSeconds));
                    }
                }
            }

            if (errorKind is not null)
            {
                _failed++;
                bucket.Errors++;
                _errors[errorKind] = _errors.GetValueOrDefault(errorKind) + 1;
            }
        }
    }

    /// <summary>
    /// The figures of seconds [<paramref name="from"/>, <paramref name="to"/>) by intended start; the target rate is what
    /// was planned in them (open model only).
    /// </summary>
    public MetricSnapshot Window(int from, int to, bool open)
    {
        lock (_lock)
        {
            var latency = LoadHistograms.NewHistogram(2);
            long scheduled = 0, completed = 0, errors = 0, dropped = 0;
            for (var i = Math.Max(from, 0); i < Math.Min(to, _histograms.Seconds.Count); i++)
            {
                var bucket = _histograms.Seconds[i];
                latency.Add(bucket.Latency);
                scheduled += bucket.Scheduled;
                completed += bucket.Completed;
                errors += bucket.Errors;
                dropped += bucket.Dropped;
            }

            double seconds = Math.Max(to - from, 1);
            return new MetricSnapshot(
                LatencySummary.Of(latency),
                completed,
                completed == 0 ? 0 : (double)errors / completed,
                completed / seconds,
                open ? scheduled / seconds : null,
                scheduled == 0 ? 0 : (double)dropped / scheduled);
        }
    }

    public LoadResult ToResult(LoadOptions options, Uri url, double loadSeconds, double? targetRps, GeneratorUsage generator, string? abortReason)
    {
        lock (_lock)
        {
            var seconds = Math.Max(loadSeconds, 1e-6);
            return new LoadResult
            {
                Executor = Executors.NameOf(options.Executor),
                Url = url.ToString(),
                Protocol = options.Request.Protocol,
                TargetRps = targetRps is { } t ? Math.Round(t, 3) : null,
                AchievedRps = Math.Round(_completed / seconds, 3),
                DurationSeconds = Math.Round(seconds, 3),
                Started = _started,
                Requests = _completed,
                Succeeded = _completed - _failed,
                ErrorCount = _failed,
                ErrorRate = _completed == 0 ? 0 : Math.Round((double)_failed / _completed, 6),
                Errors = new Dictionary<string, long>(_errors, StringComparer.Ordinal),
                StatusCodes = Enumerable.Range(0, _statuses.Length).Where(s => _statuses[s] > 0)
                    .ToDictionary(s => s.ToString(CultureInfo.InvariantCulture), s => _statuses[s], StringComparer.Ordinal),
                Dropped = _dropped,
                Late = _late,
                Interrupted = _interrupted,
                Aborted = abortReason is not null,
                AbortReason = abortReason,
                LatencyMs = LatencySummary.Of(_histograms.Latency),
                ServiceTimeMs = LatencySummary.Of(_histograms.ServiceTime),
                ScheduleLagMs = LatencySummary.Of(_histograms.ScheduleLag),
                Timeline = TimelinePoint.Of(_histograms),
                Generator = generator,
                RateLimited = new RateLimitStats(_responses429, _withRetryAfter, Math.Round(_maxRetryAfterSeconds, 3)),
                Histograms = _histograms,
            };
        }
    }

    public long CompletedCount
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }
}
