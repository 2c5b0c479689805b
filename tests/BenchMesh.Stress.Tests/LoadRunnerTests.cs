using System.Net;
using System.Net.Sockets;
using BenchMesh.Stress.Load;

namespace BenchMesh.Stress.Tests;

public sealed class LoadRunnerTests(TestAgentServer agent) : IClassFixture<TestAgentServer>, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    private LoadRunner Runner => new(_http);

    private static LoadPlan Plan(int requests, int concurrency, double durationSeconds = 30, double requestTimeoutSeconds = 10) =>
        new(requests, concurrency, TimeSpan.FromSeconds(durationSeconds), TimeSpan.FromSeconds(requestTimeoutSeconds), "What is 2 + 3?");

    private static LoadTarget HttpJson(string endpoint) => new("http-json", endpoint, null);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Stops_after_the_requested_number_and_counts_injected_failures()
    {
        var endpoint = $"{agent.Address}/json?fail_every=5&slow_every=7&slow_ms=60&case={Guid.NewGuid():N}";
        var progress = new LoadProgress();

        var result = await Runner.RunAsync(HttpJson(endpoint), Plan(requests: 100, concurrency: 4), progress, CancellationToken.None);

        Assert.Equal(100, result.Requests);
        Assert.Equal(100, agent.CountFor(new Uri(endpoint).PathAndQuery));
        Assert.Equal(100, progress.Completed);
        Assert.Equal(20, result.Errors);
        Assert.Equal(0.2, result.ErrorRate);
        Assert.Equal(new Dictionary<string, long> { ["http_status"] = 20 }, result.ErrorsByKind);
        Assert.Equal(20, result.StatusCodes["500"]);
        Assert.Equal(80, result.StatusCodes["200"]);
        Assert.True(result.AchievedRps > 0);
    }

    [Fact]
    public async Task Latency_percentiles_are_ordered_and_show_the_slow_tail()
    {
        // 14 of 100 requests (every 7th) take 60 ms more than the rest.
        var endpoint = $"{agent.Address}/json?slow_every=7&slow_ms=60&case={Guid.NewGuid():N}";

        var result = await Runner.RunAsync(HttpJson(endpoint), Plan(requests: 100, concurrency: 1), new LoadProgress(), CancellationToken.None);

        var l = result.LatencyMs;
        Assert.True(l.P50 <= l.P90 && l.P90 <= l.P95 && l.P95 <= l.P99 && l.P99 <= l.Max, $"percentiles out of order: {l}");
        Assert.True(l.P50 < 40, $"p50 {l.P50} ms should be a fast request");
        Assert.True(l.P95 >= 60, $"p95 {l.P95} ms should be a slow request");
        Assert.True(l.Mean > l.P50, "the slow tail pulls the mean above the median");
        Assert.Equal(0, result.Errors);
    }

    [Fact]
    public async Task Stops_when_the_duration_is_over()
    {
        var endpoint = $"{agent.Address}/json?delay_ms=20&case={Guid.NewGuid():N}";

        var result = await Runner.RunAsync(HttpJson(endpoint), Plan(requests: 100_000, concurrency: 2, durationSeconds: 1), new LoadProgress(), CancellationToken.None);

        Assert.InRange(result.DurationSeconds, 0.9, 3);
        Assert.InRange(result.Requests, 10, 200); // two workers, ~20 ms each: about 100 in a second
        Assert.Equal(0, result.Errors);
        Assert.True(agent.CountFor(new Uri(endpoint).PathAndQuery) >= result.Requests);
    }

    [Fact]
    public async Task Speaks_openai_chat_with_the_configured_model_and_the_credential()
    {
        var target = new LoadTarget("openai-chat", $"{agent.Address}/openai", "sk-test", """{"model":"tiny-1","temperature":0}""");

        var result = await Runner.RunAsync(target, Plan(requests: 3, concurrency: 1), new LoadProgress(), CancellationToken.None);

        Assert.Equal(3, result.Requests);
        Assert.Equal(0, result.Errors);
        var (_, authorization, body) = agent.Received.Last(r => r.Path == "/openai/v1/chat/completions");
        Assert.Equal("Bearer sk-test", authorization);
        Assert.Equal("tiny-1", body.GetProperty("model").GetString());
        Assert.Equal("What is 2 + 3?", body.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Sends_http_json_input_and_configuration()
    {
        var endpoint = $"{agent.Address}/json?case={Guid.NewGuid():N}";
        var target = new LoadTarget("http-json", endpoint, null, """{"model":"m"}""");

        await Runner.RunAsync(target, Plan(requests: 1, concurrency: 1), new LoadProgress(), CancellationToken.None);

        var (_, _, body) = agent.Received.Last(r => r.Path == "/json");
        Assert.Equal("What is 2 + 3?", body.GetProperty("input").GetString());
        Assert.Equal("m", body.GetProperty("configuration").GetProperty("model").GetString());
    }

    [Fact]
    public async Task An_answer_that_is_not_the_protocols_json_is_an_invalid_response()
    {
        var endpoint = $"{agent.Address}/json?garbage=1&case={Guid.NewGuid():N}";

        var result = await Runner.RunAsync(HttpJson(endpoint), Plan(requests: 5, concurrency: 2), new LoadProgress(), CancellationToken.None);

        Assert.Equal(5, result.Errors);
        Assert.Equal(new Dictionary<string, long> { ["invalid_response"] = 5 }, result.ErrorsByKind);
    }

    [Fact]
    public async Task A_request_slower_than_its_timeout_is_a_timeout()
    {
        var endpoint = $"{agent.Address}/json?delay_ms=5000&case={Guid.NewGuid():N}";

        var result = await Runner.RunAsync(HttpJson(endpoint), Plan(requests: 2, concurrency: 2, requestTimeoutSeconds: 0.2), new LoadProgress(), CancellationToken.None);

        Assert.Equal(2, result.Requests);
        Assert.Equal(new Dictionary<string, long> { ["timeout"] = 2 }, result.ErrorsByKind);
        // The agent would answer after 5 s; a run that waited for it would take that long.
        Assert.True(result.DurationSeconds < 3, $"timed-out requests are not waited for ({result.DurationSeconds} s)");
    }

    [Fact]
    public async Task A_refused_connection_is_a_connection_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await Runner.RunAsync(HttpJson($"http://127.0.0.1:{port}/"), Plan(requests: 3, concurrency: 1), new LoadProgress(), CancellationToken.None);

        Assert.Equal(3, result.Requests);
        Assert.Equal(new Dictionary<string, long> { ["connection"] = 3 }, result.ErrorsByKind);
        Assert.Equal(0, result.LatencyMs.Max);
    }
}
