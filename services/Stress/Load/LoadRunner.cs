using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using HdrHistogram;

namespace BenchMesh.Stress.Load;

/// <summary>Where the load goes: one registered agent version, in its protocol.</summary>
public sealed record LoadTarget(string Protocol, string Endpoint, string? ApiKey, string ModelConfigurationJson = "{}");

/// <summary>
/// A bounded closed-loop load: <see cref="Concurrency"/> workers each send a request, wait for the answer and
/// send the next, until <see cref="Requests"/> have completed or <see cref="Duration"/> has passed.
/// </summary>
public sealed record LoadPlan(int Requests, int Concurrency, TimeSpan Duration, TimeSpan RequestTimeout, string Input);

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record LatencySummary(double Mean, double P50, double P90, double P95, double P99, double Max);

/// <summary>
/// What a load produced. <see cref="Requests"/> counts completed requests (answered, failed or timed out);
/// requests still in flight when the duration ran out are abandoned and not counted. Latency covers every
/// request that got an HTTP answer (successes, error statuses and unusable bodies), not timeouts or refused
/// connections, whose "latency" would be the timeout or nothing.
/// Serialized as it is (snake_case) into a run's stored and returned <c>result</c>: renaming a property changes the API.
/// </summary>
public sealed record LoadResult(
    long Requests,
    long Errors,
    double ErrorRate,
    double AchievedRps,
    double DurationSeconds,
    LatencySummary LatencyMs,
    IReadOnlyDictionary<string, long> ErrorsByKind,
    IReadOnlyDictionary<string, long> StatusCodes);

/// <summary>Completed requests so far, readable while the load runs.</summary>
public sealed class LoadProgress
{
    private long _completed;

    public long Completed => Interlocked.Read(ref _completed);

    internal void Increment() => Interlocked.Increment(ref _completed);
}

/// <summary>Generates load against an agent. A real engine (open loop, ramps, breaking points) replaces this later.</summary>
public interface ILoadRunner
{
    Task<LoadResult> RunAsync(LoadTarget target, LoadPlan plan, LoadProgress progress, CancellationToken cancellationToken);
}

/// <summary>
/// The bounded closed-loop runner. Latencies go to an HdrHistogram at microsecond resolution (1 µs to 1 h,
/// 3 significant digits), so percentiles stay exact to 0.1 % however many requests are made.
/// </summary>
public sealed class LoadRunner(HttpClient http) : ILoadRunner
{
    private const long HighestTrackableMicros = 3_600_000_000; // one hour
    private const int OpenAiMaxTokens = 16;

    public async Task<LoadResult> RunAsync(LoadTarget target, LoadPlan plan, LoadProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.Requests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.Concurrency, 1);

        var (uri, body) = BuildRequest(target, plan.Input);
        var state = new RunState();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        deadline.CancelAfter(plan.Duration);

        var workers = Enumerable.Range(0, Math.Min(plan.Concurrency, plan.Requests))
            .Select(_ => Task.Run(() => WorkAsync(target, plan, uri, body, state, progress, deadline.Token), CancellationToken.None))
            .ToArray();
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        cancellationToken.ThrowIfCancellationRequested();

        return state.ToResult(elapsed);
    }

    private async Task WorkAsync(
        LoadTarget target, LoadPlan plan, Uri uri, byte[] body, RunState state, LoadProgress progress, CancellationToken deadline)
    {
        while (!deadline.IsCancellationRequested && Interlocked.Increment(ref state.Claimed) <= plan.Requests)
        {
            var outcome = await SendAsync(target, plan, uri, body, deadline);
            if (outcome.Abandoned)
            {
                return;
            }

            state.Record(outcome);
            progress.Increment();
        }
    }

    private async Task<Outcome> SendAsync(LoadTarget target, LoadPlan plan, Uri uri, byte[] body, CancellationToken deadline)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        timeout.CancelAfter(plan.RequestTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (!string.IsNullOrEmpty(target.ApiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.ApiKey);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var content = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                return new Outcome(SampleErrorKinds.HttpStatus, elapsed, status);
            }

            return IsUsableAnswer(target.Protocol, content)
                ? new Outcome(null, elapsed, status)
                : new Outcome(SampleErrorKinds.InvalidResponse, elapsed, status);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return Outcome.Abandon;
        }
        catch (OperationCanceledException)
        {
            return new Outcome(SampleErrorKinds.Timeout, null, null);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.InvalidResponse)
        {
            return new Outcome(SampleErrorKinds.InvalidResponse, Stopwatch.GetElapsedTime(started), null);
        }
        catch (HttpRequestException)
        {
            // Refused, reset, DNS, TLS, or the connection closed before an answer.
            return new Outcome(SampleErrorKinds.Connection, null, null);
        }
    }

    /// <summary>The request every worker sends, serialized once.</summary>
    internal static (Uri Uri, byte[] Body) BuildRequest(LoadTarget target, string input)
    {
        var configuration = ParseObject(target.ModelConfigurationJson);
        if (target.Protocol == AgentProtocols.HttpJson)
        {
            var body = new JsonObject { ["input"] = input, ["configuration"] = configuration };
            return (new Uri(target.Endpoint), JsonSerializer.SerializeToUtf8Bytes(body));
        }

        if (target.Protocol == AgentProtocols.OpenAiChat)
        {
            var uri = AgentProtocols.ChatCompletionsUrl(target.Endpoint);
            var body = new JsonObject
            {
                ["model"] = configuration["model"]?.DeepClone() ?? "default",
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = input }),
                // A stress test measures the service, not the length of its essays.
                ["max_tokens"] = OpenAiMaxTokens,
                ["stream"] = false,
            };
            return (new Uri(uri), JsonSerializer.SerializeToUtf8Bytes(body));
        }

        throw new NotSupportedException($"The load runner cannot speak protocol '{target.Protocol}'.");
    }

    private static JsonObject ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>An answer counts when it has the protocol's shape: <c>output</c>, or at least one choice.</summary>
    private static bool IsUsableAnswer(string protocol, byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            return protocol == AgentProtocols.OpenAiChat
                ? root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                : root.TryGetProperty("output", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private readonly record struct Outcome(string? ErrorKind, TimeSpan? Latency, int? Status, bool Abandoned = false)
    {
        public static readonly Outcome Abandon = new(null, null, null, true);
    }

    private sealed class RunState
    {
        public long Claimed;
        private readonly Lock _lock = new();
        private readonly LongHistogram _latencyMicros = new(1, HighestTrackableMicros, 3);
        private readonly Dictionary<string, long> _errorsByKind = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _statusCodes = new(StringComparer.Ordinal);
        private long _requests;
        private long _errors;

        public void Record(Outcome outcome)
        {
            lock (_lock)
            {
                _requests++;
                if (outcome.Latency is { } latency)
                {
                    _latencyMicros.RecordValue(Math.Clamp((long)latency.TotalMicroseconds, 1, HighestTrackableMicros));
                }

                if (outcome.Status is { } status)
                {
                    var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    _statusCodes[key] = _statusCodes.GetValueOrDefault(key) + 1;
                }

                if (outcome.ErrorKind is { } kind)
                {
                    _errors++;
                    _errorsByKind[kind] = _errorsByKind.GetValueOrDefault(kind) + 1;
                }
            }
        }

        public LoadResult ToResult(TimeSpan elapsed)
        {
            lock (_lock)
            {
                var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
                var latency = _latencyMicros.TotalCount == 0
                    ? new LatencySummary(0, 0, 0, 0, 0, 0)
                    : new LatencySummary(
                        Ms(_latencyMicros.GetMean()),
                        Ms(_latencyMicros.GetValueAtPercentile(50)),
                        Ms(_latencyMicros.GetValueAtPercentile(90)),
                        Ms(_latencyMicros.GetValueAtPercentile(95)),
                        Ms(_latencyMicros.GetValueAtPercentile(99)),
                        Ms(_latencyMicros.GetMaxValue()));
                return new LoadResult(
                    _requests,
                    _errors,
                    _requests == 0 ? 0 : Math.Round((double)_errors / _requests, 6),
                    Math.Round(_requests / seconds, 3),
                    Math.Round(seconds, 3),
                    latency,
                    new Dictionary<string, long>(_errorsByKind),
                    new Dictionary<string, long>(_statusCodes));
            }
        }

        private static double Ms(double micros) => Math.Round(micros / 1000.0, 3);
    }
}
