using System.Net.Http.Json;

namespace BenchMesh.FaultInjection;

/// <summary>
/// The agent under test: agent.py (an http-json agent on Python's http.server that answers in about 50 ms), written to
/// the work folder and started as a process of its own. Its own counters tell how many calls each run really made.
/// </summary>
public sealed class PythonAgent : IAsyncDisposable
{
    private readonly ManagedProcess _process;
    private readonly Uri _baseUrl;

    /// <param name="delay">How long the agent takes to answer (agent.py's default: 50 ms).</param>
    public PythonAgent(string workDirectory, string logDirectory, TimeSpan? delay = null)
    {
        var script = Path.Combine(workDirectory, "agent.py");
        using (var resource = typeof(PythonAgent).Assembly.GetManifestResourceStream("agent.py")
            ?? throw new InvalidOperationException("agent.py is not embedded"))
        using (var file = File.Create(script))
        {
            resource.CopyTo(file);
        }

        var port = LoopbackPorts.Free();
        _baseUrl = new Uri($"http://127.0.0.1:{port}/");
        string[] command = ["python3", script, port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (delay is { } answerAfter)
        {
            command = [.. command, answerAfter.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }

        _process = new ManagedProcess("agent", workDirectory, command,
            new Dictionary<string, string>(), Path.Combine(logDirectory, "agent.log"), new Uri(_baseUrl, "clients"));
    }

    /// <summary>The endpoint to register for one run: the tag keeps each run's calls apart.</summary>
    public Uri EndpointFor(string tag) => new(_baseUrl, $"agent/{tag}");

    public async Task StartAsync(HttpClient http, CancellationToken ct)
    {
        _process.Start();
        await _process.WaitHealthyAsync(http, TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>Calls received for a run's tag, per benchmark name.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CallsAsync(HttpClient http, string tag, CancellationToken ct) =>
        await http.GetFromJsonAsync<Dictionary<string, int>>(new Uri(_baseUrl, $"calls/{tag}"), ct) ?? [];

    /// <summary>Calls received for a run's tag and the seconds from the first one's arrival to the last one's answer.</summary>
    public async Task<CallSpan> SpanAsync(HttpClient http, string tag, CancellationToken ct) =>
        await http.GetFromJsonAsync<CallSpan>(new Uri(_baseUrl, $"span/{tag}"), ct) ?? new CallSpan(0, 0);

    /// <summary>Client ports of the calls answered in the last second: the runner connections that are calling now.</summary>
    public async Task<IReadOnlyList<int>> RecentClientPortsAsync(HttpClient http, CancellationToken ct) =>
        (await http.GetFromJsonAsync<ClientPorts>(new Uri(_baseUrl, "clients"), ct))?.Ports ?? [];

    public async ValueTask DisposeAsync() => await _process.StopAsync(TimeSpan.FromSeconds(5));

    private sealed record ClientPorts(IReadOnlyList<int> Ports);
}

/// <summary>What the agent saw of one tag's calls (GET /span/{tag}).</summary>
public sealed record CallSpan(int Calls, double Seconds);
