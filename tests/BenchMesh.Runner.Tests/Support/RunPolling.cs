using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>Reading a run through the API, as a client following it would.</summary>
public static class RunPolling
{
    public static async Task<JsonElement> GetRunAsync(this HttpClient http, Guid runId) =>
        await http.GetFromJsonAsync<JsonElement>($"/benchmarks/runs/{runId}");

    /// <summary>The run, once <paramref name="condition"/> holds for it.</summary>
    public static async Task<JsonElement> RunWhenAsync(
        this HttpClient http, Guid runId, Func<JsonElement, bool> condition, TimeSpan timeout, string what) =>
        await Eventually.GetAsync<JsonElement?>(async () =>
        {
            var run = await http.GetRunAsync(runId);
            return condition(run) ? run : null;
        }, timeout, what) ?? default;
}
