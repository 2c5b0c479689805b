using System.Diagnostics;
using System.Globalization;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// A target served by Python's standard <c>http.server</c> (python_target.py) in a process of its own: HTTP/1.1 framing,
/// keep-alive and closes written by a server nobody here wrote. Started once per test class.
/// </summary>
public sealed class PythonTarget : IDisposable
{
    private readonly Process _process;

    public PythonTarget()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "python_target.py");
        _process = Process.Start(new ProcessStartInfo("python3", $"-u \"{script}\"") { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("python3 did not start.");
        var port = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("python_target.py printed no port.");
        BaseUrl = new Uri($"http://127.0.0.1:{int.Parse(port, CultureInfo.InvariantCulture)}/");
    }

    public Uri BaseUrl { get; }

    public Uri Url(string path) => new(BaseUrl, path);

    /// <summary>The connections the server served so far (its own count; the connections that asked only for it are left out).</summary>
    public async Task<int> ConnectionsAsync()
    {
        using var client = new HttpClient();
        return int.Parse(await client.GetStringAsync(Url("/stats")), CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
