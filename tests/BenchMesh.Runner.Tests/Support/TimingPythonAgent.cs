using System.Diagnostics;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>
/// <c>Agents/timing_agent.py</c> on Python's socketserver: answers written byte by byte as a test asks (delayed
/// chunks, dropped connections, garbage, truncated bodies). Started on a free loopback port, killed by its process id.
/// </summary>
public sealed class TimingPythonAgent : IAsyncDisposable
{
    private readonly Process _process;

    private TimingPythonAgent(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public static async Task<TimingPythonAgent> StartAsync()
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Agents", "timing_agent.py"));
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"The timing agent did not start: '{line}'.");
        }

        return new TimingPythonAgent(process, int.Parse(line["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
