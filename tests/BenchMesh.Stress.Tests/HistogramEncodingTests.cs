using BenchMesh.LoadEngine.Metrics;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Scenarios;
using BenchMesh.Stress.Distributed;
using HdrHistogram;

namespace BenchMesh.Stress.Tests;

/// <summary>
/// The wire form of a generator's recordings (HdrHistogram's compressed encoding): what is decoded is what was recorded,
/// and merging decoded parts gives the histogram of all the values.
/// </summary>
public sealed class HistogramEncodingTests(TestAgentServer agent) : IClassFixture<TestAgentServer>
{
    private static void AssertSameCounts(HistogramBase expected, HistogramBase actual)
    {
        Assert.Equal(expected.TotalCount, actual.TotalCount);
        Assert.Equal(
            expected.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo)),
            actual.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo)));
        foreach (var percentile in new[] { 0.0, 10, 50, 90, 95, 99, 99.9, 100 })
        {
            Assert.Equal(expected.GetValueAtPercentile(percentile), actual.GetValueAtPercentile(percentile));
        }

        Assert.Equal(expected.GetMaxValue(), actual.GetMaxValue());
        Assert.Equal(expected.GetMean(), actual.GetMean(), 9);
    }

    [Fact]
    public async Task A_runs_recordings_decode_to_the_same_counts_and_percentiles()
    {
        var run = await ScenarioPresets.RunAsync(
            ScenarioPresets.HighLoad,
            new ScenarioTarget { Url = new Uri($"{agent.Address}/json?fail_every=5&slow_every=3&slow_ms=20&case={Guid.NewGuid():N}"), Request = new RequestSpec { Protocol = LoadProtocols.HttpJson } },
            new Dictionary<string, double> { ["rate"] = 50, ["duration_s"] = 2, ["connections"] = 4 });
        var recorded = run.Phases[0].Result.Histograms;

        var text = LoadHistogramsEncoding.Encode(recorded);
        var decoded = LoadHistogramsEncoding.Decode(text);

        Assert.StartsWith(LoadHistogramsEncoding.Prefix, text);
        Assert.Equal(100, decoded.Latency.TotalCount);
        AssertSameCounts(recorded.Latency, decoded.Latency);
        AssertSameCounts(recorded.ServiceTime, decoded.ServiceTime);
        AssertSameCounts(recorded.ScheduleLag, decoded.ScheduleLag);
        Assert.Equal(LatencySummary.Of(recorded.Latency), LatencySummary.Of(decoded.Latency));
        Assert.Equal(recorded.Seconds.Count, decoded.Seconds.Count);
        for (var i = 0; i < recorded.Seconds.Count; i++)
        {
            var (a, b) = (recorded.Seconds[i], decoded.Seconds[i]);
            Assert.Equal((a.Scheduled, a.Completed, a.Errors, a.Dropped), (b.Scheduled, b.Completed, b.Errors, b.Dropped));
            AssertSameCounts(a.Latency, b.Latency);
        }

        Assert.Equal(TimelinePoint.Of(recorded), TimelinePoint.Of(decoded));
        // Compact: well under a kilobyte per second of run for these three histograms and two seconds.
        Assert.True(text.Length < 4_000, $"{text.Length} characters");
        Assert.Equal(text, LoadHistogramsEncoding.Encode(decoded));
    }

    [Fact]
    public void Decoded_parts_merge_into_the_histogram_of_all_values()
    {
        var random = new Random(42);
        var whole = new LoadHistograms();
        var parts = new[] { new LoadHistograms(), new LoadHistograms(), new LoadHistograms() };
        for (var i = 0; i < 30_000; i++)
        {
            // Log-uniform from 100 µs to ~10 s, so every magnitude's buckets are exercised.
            var micros = (long)Math.Exp(Math.Log(100) + random.NextDouble() * Math.Log(100_000));
            var part = parts[random.Next(parts.Length)];
            part.Latency.RecordValue(micros);
            part.ServiceTime.RecordValue(micros / 2 + 1);
            whole.Latency.RecordValue(micros);
            whole.ServiceTime.RecordValue(micros / 2 + 1);
            part.Second(i % 5).Latency.RecordValue(micros);
            whole.Second(i % 5).Latency.RecordValue(micros);
        }

        var merged = new LoadHistograms();
        foreach (var part in parts)
        {
            merged.Add(LoadHistogramsEncoding.Decode(LoadHistogramsEncoding.Encode(part)));
        }

        AssertSameCounts(whole.Latency, merged.Latency);
        AssertSameCounts(whole.ServiceTime, merged.ServiceTime);
        Assert.Equal(0, merged.ScheduleLag.TotalCount);
        Assert.Equal(5, merged.Seconds.Count);
        for (var i = 0; i < 5; i++)
        {
            AssertSameCounts(whole.Seconds[i].Latency, merged.Seconds[i].Latency);
        }

        // And a single histogram on its own, in the form HdrHistogram's log files use.
        AssertSameCounts(whole.Latency, LoadHistogramsEncoding.DecodeHistogram(LoadHistogramsEncoding.EncodeHistogram(whole.Latency)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hdr1:not base64!")]
    [InlineData("hdr1:AAAA")]
    [InlineData("zzz:AAAA")]
    public void Damaged_text_is_a_format_error(string text) =>
        Assert.Throws<FormatException>(() => LoadHistogramsEncoding.Decode(text));

    [Fact]
    public void Shares_of_two_generators_merge_phase_by_phase_with_merged_percentiles()
    {
        var a = new LoadHistograms();
        var b = new LoadHistograms();
        for (var i = 1; i <= 100; i++)
        {
            a.Latency.RecordValue(i * 1_000);
            b.Latency.RecordValue(i * 10_000);
        }

        var whole = new LoadHistograms();
        whole.Add(a);
        whole.Add(b);
        Assert.Equal(LatencySummary.Of(whole.Latency), LatencySummary.Of(Merged(a, b).Latency));
        // An average of the two p99s (~ 500 ms) would hide that the merged p99 is the slow generator's.
        Assert.True(LatencySummary.Of(whole.Latency).P99 > 900);

        static LoadHistograms Merged(params LoadHistograms[] parts)
        {
            var merged = new LoadHistograms();
            foreach (var part in parts)
            {
                merged.Add(LoadHistogramsEncoding.Decode(LoadHistogramsEncoding.Encode(part)));
            }

            return merged;
        }
    }
}

public sealed class WorkerSplitTests
{
    private static IReadOnlyDictionary<string, double> Resolved(string scenario, params (string Name, double Value)[] overrides) =>
        ScenarioPresets.Resolve(scenario, overrides.ToDictionary(o => o.Name, o => o.Value));

    [Fact]
    public void Arrival_rate_presets_divide_the_rate_and_the_connections()
    {
        var shares = WorkerSplit.Split(ScenarioPresets.HighLoad, Resolved(ScenarioPresets.HighLoad, ("rate", 1000), ("connections", 100)), 3);

        Assert.Equal(3, shares.Count);
        Assert.All(shares, s => Assert.Equal(1000.0 / 3, s["rate"], 9));
        Assert.Equal([34, 33, 33], shares.Select(s => s["connections"]));
        Assert.All(shares, s => Assert.Equal(300, s["duration_s"]));
    }

    [Fact]
    public void Concurrent_requests_divides_its_virtual_users_in_whole_users()
    {
        var shares = WorkerSplit.Split(ScenarioPresets.ConcurrentRequests, Resolved(ScenarioPresets.ConcurrentRequests, ("max_concurrency", 10), ("connections", 1)), 4);

        Assert.Equal([3, 3, 2, 2], shares.Select(s => s["max_concurrency"]));
        Assert.Equal(10, shares.Sum(s => s["max_concurrency"]));
        // At least one connection each.
        Assert.All(shares, s => Assert.Equal(1, s["connections"]));
    }

    [Theory]
    [InlineData(ScenarioPresets.Spike)]
    [InlineData(ScenarioPresets.FailureRecovery)]
    [InlineData(ScenarioPresets.RateLimiting)]
    public void Presets_read_from_one_generators_view_are_not_split(string scenario)
    {
        Assert.Null(WorkerSplit.Problem(scenario, Resolved(scenario), 1));
        Assert.Contains("not split", WorkerSplit.Problem(scenario, Resolved(scenario), 2));
        Assert.DoesNotContain(scenario, WorkerSplit.Splittable);
    }
}
