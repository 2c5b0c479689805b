using System.Text.Json.Serialization;
using BenchMesh.LoadEngine.Metrics;
using BenchMesh.LoadEngine.Thresholds;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>What the generator cost: if it was near a full core, the generator may have been the limit, not the target.</summary>
/// <param name="CpuCores">CPU time of this process over wall time (1.0 = one core busy all the time).</param>
/// <param name="CpuMicrosPerRequest">CPU microseconds of this process per completed request.</param>
/// <param name="Connections">The connection limit.</param>
/// <param name="MaxInFlight">The in-flight pool (open model).</param>
/// <param name="Transport">How requests were sent: <c>socket</c> (BenchMesh's HTTP/1.1 client) or <c>httpclient</c> (SocketsHttpHandler).</param>
public sealed record GeneratorUsage(double CpuCores, double CpuMicrosPerRequest, int Connections, int MaxInFlight, string? Transport = null);

/// <summary>How the target rate-limited: 429 answers, how many carried Retry-After, and the longest it asked for.</summary>
public sealed record RateLimitStats(long Responses429, long WithRetryAfter, double MaxRetryAfterSeconds);

/// <summary>
/// The result of one run. Counts: <see cref="Started"/> requests were sent; <see cref="Requests"/> of them completed
/// (answered or failed); <see cref="Interrupted"/> were still running at the end of the graceful stop; <see cref="Dropped"/>
/// were due but never sent (in-flight pool full); <see cref="Late"/> were sent later than the tolerance after their
/// intended start. Latency is from the intended start (open model) and covers every completed request, failed ones
/// included. Serialized with snake_case names (the CLI's --json output).
/// </summary>
public sealed record LoadResult
{
    /// <summary>The executor's name.</summary>
    public required string Executor { get; init; }

    /// <summary>The URL requests went to (for openai-chat, the chat completions URL).</summary>
    public required string Url { get; init; }

    /// <summary>The request protocol.</summary>
    public required string Protocol { get; init; }

    /// <summary>The planned rate over the run (open model); null for the closed model.</summary>
    public double? TargetRps { get; init; }

    /// <summary>Completed requests per second of the load window.</summary>
    public double AchievedRps { get; init; }

    /// <summary>The load window in seconds: the schedule's length, or less when the run was aborted or hit its request bound.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Requests sent.</summary>
    public long Started { get; init; }

    /// <summary>Requests completed (answered or failed).</summary>
    public long Requests { get; init; }

    /// <summary>Completed requests that succeeded.</summary>
    public long Succeeded { get; init; }

    /// <summary>Completed requests that failed.</summary>
    public long ErrorCount { get; init; }

    /// <summary><see cref="ErrorCount"/> / <see cref="Requests"/>.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Failures by kind (<c>http_503</c>, <c>timeout</c>, <c>connection_refused</c>, ...).</summary>
    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();

    /// <summary>Answers by HTTP status.</summary>
    public IReadOnlyDictionary<string, long> StatusCodes { get; init; } = new Dictionary<string, long>();

    /// <summary>Requests due while the in-flight pool was full, never sent.</summary>
    public long Dropped { get; init; }

    /// <summary>Requests sent later than the tolerance after their intended start.</summary>
    public long Late { get; init; }

    /// <summary>Requests still running when the graceful stop ran out.</summary>
    public long Interrupted { get; init; }

    /// <summary>True when an abort_on_fail threshold stopped the run early.</summary>
    public bool Aborted { get; init; }

    /// <summary>Which threshold stopped the run, and what it saw.</summary>
    public string? AbortReason { get; init; }

    /// <summary>Latency from intended start, ms.</summary>
    public LatencySummary LatencyMs { get; init; } = LatencySummary.Empty;

    /// <summary>Send to end of answer, ms.</summary>
    public LatencySummary ServiceTimeMs { get; init; } = LatencySummary.Empty;

    /// <summary>Intended start to send, ms: the generator's own delay.</summary>
    public LatencySummary ScheduleLagMs { get; init; } = LatencySummary.Empty;

    /// <summary>Per-second series, by intended start.</summary>
    public IReadOnlyList<TimelinePoint> Timeline { get; init; } = [];

    /// <summary>What the generator cost.</summary>
    public required GeneratorUsage Generator { get; init; }

    /// <summary>429 answers and their Retry-After.</summary>
    public RateLimitStats RateLimited { get; init; } = new(0, 0, 0);

    /// <summary>Each threshold's outcome.</summary>
    public IReadOnlyList<ThresholdResult> Thresholds { get; init; } = [];

    /// <summary>True when every threshold passed and none aborted the run.</summary>
    public bool ThresholdsPassed => Thresholds.All(t => t.Passed) && !Aborted;

    /// <summary>The raw recordings, for merging with other generators' results; not serialized.</summary>
    [JsonIgnore]
    public LoadHistograms Histograms { get; init; } = new();

    /// <summary>The figures thresholds are judged on.</summary>
    public MetricSnapshot Snapshot() => new(
        LatencyMs, Requests, ErrorRate, AchievedRps, TargetRps,
        Dropped + Started == 0 ? 0 : (double)Dropped / (Dropped + Started));

    /// <summary>This result judged by <paramref name="thresholds"/> (replacing earlier outcomes; an abort stays an abort).</summary>
    public LoadResult Judge(IReadOnlyList<Threshold> thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var snapshot = Snapshot();
        return this with { Thresholds = [.. thresholds.Select(t => t.Evaluate(snapshot))] };
    }

    /// <summary>
    /// The result of several generators that ran one schedule together (each a share of the rate, a common start):
    /// counts and rates add up, percentiles come from the merged histograms. Thresholds are not carried over: judge the
    /// merged result with <see cref="Judge"/>.
    /// </summary>
    public static LoadResult Merge(IReadOnlyList<LoadResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            throw new ArgumentException("Nothing to merge.", nameof(results));
        }

        var histograms = new LoadHistograms();
        foreach (var result in results)
        {
            histograms.Add(result.Histograms);
        }

        var requests = results.Sum(r => r.Requests);
        var errors = results.Sum(r => r.ErrorCount);
        var totalRequests = Math.Max(requests, 1);
        return new LoadResult
        {
            Executor = results[0].Executor,
            Url = results[0].Url,
            Protocol = results[0].Protocol,
            TargetRps = results.All(r => r.TargetRps is not null) ? results.Sum(r => r.TargetRps!.Value) : null,
            AchievedRps = results.Sum(r => r.AchievedRps),
            DurationSeconds = results.Max(r => r.DurationSeconds),
            Started = results.Sum(r => r.Started),
            Requests = requests,
            Succeeded = results.Sum(r => r.Succeeded),
            ErrorCount = errors,
            ErrorRate = requests == 0 ? 0 : Math.Round((double)errors / totalRequests, 6),
            Errors = SumCounts(results.Select(r => r.Errors)),
            StatusCodes = SumCounts(results.Select(r => r.StatusCodes)),
            Dropped = results.Sum(r => r.Dropped),
            Late = results.Sum(r => r.Late),
            Interrupted = results.Sum(r => r.Interrupted),
            Aborted = results.Any(r => r.Aborted),
            AbortReason = results.Select(r => r.AbortReason).FirstOrDefault(r => r is not null),
            LatencyMs = LatencySummary.Of(histograms.Latency),
            ServiceTimeMs = LatencySummary.Of(histograms.ServiceTime),
            ScheduleLagMs = LatencySummary.Of(histograms.ScheduleLag),
            Timeline = TimelinePoint.Of(histograms),
            Generator = new GeneratorUsage(
                results.Sum(r => r.Generator.CpuCores),
                Math.Round(results.Sum(r => r.Generator.CpuMicrosPerRequest * r.Requests) / totalRequests, 3),
                results.Sum(r => r.Generator.Connections),
                results.Sum(r => r.Generator.MaxInFlight),
                string.Join('+', results.Select(r => r.Generator.Transport).OfType<string>().Distinct(StringComparer.Ordinal)) is { Length: > 0 } used ? used : null),
            RateLimited = new RateLimitStats(
                results.Sum(r => r.RateLimited.Responses429),
                results.Sum(r => r.RateLimited.WithRetryAfter),
                results.Max(r => r.RateLimited.MaxRetryAfterSeconds)),
            Histograms = histograms,
        };
    }

    private static Dictionary<string, long> SumCounts(IEnumerable<IReadOnlyDictionary<string, long>> counts)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in counts.SelectMany(c => c))
        {
            sum[key] = sum.GetValueOrDefault(key) + value;
        }

        return sum;
    }
}
