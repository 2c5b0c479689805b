using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Metrics;

namespace BenchMesh.LoadEngine.Tests;

public sealed class HistogramTests
{
    [Fact]
    public void Percentiles_come_from_microsecond_recordings_in_milliseconds()
    {
        var histograms = new LoadHistograms();
        for (var ms = 1; ms <= 1000; ms++)
        {
            histograms.Record(ms * 1000L, ms * 500L, 10);
        }

        var latency = LatencySummary.Of(histograms.Latency);
        Assert.Equal(500, latency.P50, 0);
        Assert.Equal(900, latency.P90, 0);
        Assert.Equal(990, latency.P99, 0);
        Assert.Equal(999, latency.P999, 0);
        Assert.Equal(1000, latency.Max, 0);
        Assert.InRange(latency.Mean, 499, 502);
        Assert.Equal(250, LatencySummary.Of(histograms.ServiceTime).P50, 0);
        Assert.Equal(0.01, LatencySummary.Of(histograms.ScheduleLag).Max, 3);
    }

    [Fact]
    public void Values_outside_the_trackable_range_are_clamped_not_lost()
    {
        var histograms = new LoadHistograms();
        histograms.Record(0, -5, LoadHistograms.HighestTrackableMicros * 2);

        Assert.Equal(1, histograms.Latency.TotalCount);
        Assert.Equal(1, histograms.ServiceTime.TotalCount);
        Assert.True(LatencySummary.Of(histograms.ScheduleLag).Max >= 3_600_000 * 0.999);
        Assert.Equal(LatencySummary.Empty, LatencySummary.Of(new LoadHistograms().Latency));
    }

    [Fact]
    public void Merged_histograms_give_the_percentiles_of_all_requests_and_add_up_second_by_second()
    {
        var fast = new LoadHistograms();
        var slow = new LoadHistograms();
        for (var i = 0; i < 900; i++)
        {
            fast.Record(1_000, 1_000, 1);
        }

        for (var i = 0; i < 100; i++)
        {
            slow.Record(100_000, 100_000, 1);
        }

        fast.Second(0).Scheduled = 900;
        fast.Second(0).Completed = 900;
        slow.Second(1).Scheduled = 100;
        slow.Second(1).Errors = 7;

        var merged = new LoadHistograms();
        merged.Add(fast);
        merged.Add(slow);

        Assert.Equal(1000, merged.Latency.TotalCount);
        // The slow generator's tenth of the requests is the merged p95, where averaging each one's p95 would say ~50 ms.
        Assert.Equal(100, LatencySummary.Of(merged.Latency).P95, 0);
        Assert.Equal(1, LatencySummary.Of(merged.Latency).P50, 0);
        Assert.Equal(2, merged.Seconds.Count);
        Assert.Equal(900, merged.Seconds[0].Scheduled);
        Assert.Equal(7, merged.Seconds[1].Errors);
    }

    [Fact]
    public void Results_merge_counts_rates_errors_and_histograms()
    {
        var a = Result(requests: 900, errors: 9, latencyMicros: 2_000, errorsByKind: new() { ["http_503"] = 9 });
        var b = Result(requests: 100, errors: 1, latencyMicros: 300_000, errorsByKind: new() { ["http_503"] = 1, ["timeout"] = 0 });

        var merged = LoadResult.Merge([a, b]);

        Assert.Equal(1000, merged.Requests);
        Assert.Equal(10, merged.ErrorCount);
        Assert.Equal(0.01, merged.ErrorRate, 6);
        Assert.Equal(1000, merged.TargetRps);
        Assert.Equal(1000, merged.AchievedRps);
        Assert.Equal(10, merged.Errors["http_503"]);
        Assert.Equal(300, merged.LatencyMs.P99, 0);
        Assert.Equal(2, merged.LatencyMs.P50, 1);
        Assert.Equal(1000, merged.Timeline.Single().Requests);
    }

    private static LoadResult Result(long requests, long errors, long latencyMicros, Dictionary<string, long> errorsByKind)
    {
        var histograms = new LoadHistograms();
        for (var i = 0; i < requests; i++)
        {
            histograms.Record(latencyMicros, latencyMicros, 1);
        }

        histograms.Second(0).Completed = requests;
        histograms.Second(0).Scheduled = requests;
        return new LoadResult
        {
            Executor = "constant-arrival-rate",
            Url = "http://127.0.0.1/",
            Protocol = "raw",
            TargetRps = requests,
            AchievedRps = requests,
            DurationSeconds = 1,
            Started = requests,
            Requests = requests,
            Succeeded = requests - errors,
            ErrorCount = errors,
            Errors = errorsByKind,
            Generator = new GeneratorUsage(0.1, 10, 10, 100),
            Histograms = histograms,
        };
    }
}
