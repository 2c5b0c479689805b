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

    public PythonAgent(string workDirectory, string logDirectory)
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
        _process = new ManagedProcess("agent", workDirectory, ["python3", script, port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
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

    /// <summary>Client ports of the calls answered in the last second: the runner connections that are calling now.</summary>
    public async Task<IReadOnlyList<int>> RecentClientPortsAsync(HttpClient http, CancellationToken ct) =>
        (await http.GetFromJsonAsync<ClientPorts>(new Uri(_baseUrl, "clients"), ct))?.Ports ?? [];

    public async ValueTask DisposeAsync() => await _process.StopAsync(TimeSpan.FromSeconds(5));

    private sealed record ClientPorts(IReadOnlyList<int> Ports);
}
