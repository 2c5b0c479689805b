using System.Diagnostics;
using System.Text.Json;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>
/// <c>Agents/strict_agent.py</c> on Python's <c>http.server</c>: an agent nobody here wrote the HTTP stack of, which
/// reads exactly <c>Content-Length</c> bytes and keeps connections alive. Started on a free loopback port, killed by
/// its process id.
/// </summary>
public sealed class StrictPythonAgent : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private StrictPythonAgent(Process process, string log, string baseUrl)
    {
        _process = process;
        _log = log;
        BaseUrl = baseUrl;
    }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; }

    public static async Task<StrictPythonAgent> StartAsync()
    {
        var log = Path.Combine(Path.GetTempPath(), $"strict-agent-{Guid.NewGuid():N}.jsonl");
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Agents", "strict_agent.py"));
        start.ArgumentList.Add(log);
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started.");

        // The script prints its port once it accepts connections.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"The strict agent did not start: '{line}'.");
        }

        return new StrictPythonAgent(process, log, $"http://127.0.0.1:{line["listening ".Length..]}");
    }

    /// <summary>Every request the agent received so far, as it read it.</summary>
    public IReadOnlyList<ReceivedRequest> Requests() =>
        File.Exists(_log)
            ? File.ReadLines(_log).Select(l => JsonSerializer.Deserialize<ReceivedRequest>(l)!).ToList()
            : [];

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        File.Delete(_log);
    }
}

/// <summary>One request as the strict agent logged it.</summary>
public sealed record ReceivedRequest(
    [property: System.Text.Json.Serialization.JsonPropertyName("path")] string Path,
    [property: System.Text.Json.Serialization.JsonPropertyName("headers")] Dictionary<string, string> Headers,
    [property: System.Text.Json.Serialization.JsonPropertyName("body")] string Body);
