using System.Diagnostics;
using System.Text.Json;

namespace BenchMesh.Scale.Benchmark;

/// <summary>Median and 95th percentile of a route's answer time, in milliseconds, over <see cref="Calls"/> calls.</summary>
public sealed record RouteTiming(string Route, int Calls, double MedianMs, double P95Ms);

/// <summary>
/// Times GET routes of a service the way a dashboard calls them through the gateway: with the caller headers the gateway
/// forwards (a member of the <c>default</c> workspace), one call at a time, after warm-up calls (the first calls pay for
/// JIT and cold pages, which a long-running service has paid long ago). Each answer must be 200.
/// </summary>
public sealed class RouteTimer(HttpClient http)
{
    public const int WarmupCalls = 3;

    public static HttpClient Client()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-BenchMesh-Workspace", World.MeasuredWorkspace);
        http.DefaultRequestHeaders.Add("X-BenchMesh-Role", "member");
        http.DefaultRequestHeaders.Add("X-BenchMesh-Key-Id", "scale-benchmark");
        return http;
    }

    public async Task<JsonElement> GetJsonAsync(Uri uri, CancellationToken ct)
    {
        using var response = await http.GetAsync(uri, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {uri} answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Times <paramref name="calls"/> calls of the route (each URI from <paramref name="uriOf"/>, by call number).</summary>
    public async Task<RouteTiming> TimeAsync(string route, Func<int, Uri> uriOf, int calls, CancellationToken ct)
    {
        for (var i = 0; i < WarmupCalls; i++)
        {
            await GetJsonAsync(uriOf(i), ct);
        }

        var times = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var uri = uriOf(i);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(uri, ct);
            await response.Content.LoadIntoBufferAsync(ct);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET {uri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            }
        }

        Array.Sort(times);
        return new RouteTiming(route, calls, Percentile(times, 0.5), Percentile(times, 0.95));
    }

    /// <summary>Linear interpolation between the closest ranks.</summary>
    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
