using System.Diagnostics;

namespace BenchMesh.Scale.Benchmark;

/// <summary>
/// A BenchMesh service started from its Release build output (<c>dotnet BenchMesh.X.dll</c>) on a loopback port,
/// configured for the private servers only. Its log goes to a file beside the data; it is stopped by its own process.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    public string Name { get; }
    public Uri Address { get; }

    private ServiceProcess(string name, Uri address, Process process, StreamWriter log)
    {
        Name = name;
        Address = address;
        _process = process;
        _log = log;
    }

    /// <summary>Starts <c>services/{name}/bin/Release/net10.0/BenchMesh.{name}.dll</c> and waits until /health answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(
        string repository, string name, int port, string logFolder, IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        var dll = Path.Combine(repository, "services", name, "bin", "Release", "net10.0", $"BenchMesh.{name}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build {name} first (dotnet build services/{name} -c Release).", dll);
        }

        var address = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_URLS"] = address.ToString();
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // Nothing of the shared machine's: no OTLP exporter, no Redis (the leaderboard is measured uncached).
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        info.Environment.Remove("ConnectionStrings__redis");
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(Path.Combine(logFolder, $"{name.ToLowerInvariant()}.log")) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(name, address, process, log);

        // Migrations run before the HTTP server starts: /health answers once they are applied.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode}; see {logFolder}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(address, "/health"), ct);
                if (response.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // busy starting
            }

            if (DateTime.UtcNow > deadline)
            {
                await service.DisposeAsync();
                throw new TimeoutException($"{name} did not become healthy within 5 minutes; see {logFolder}.");
            }

            await Task.Delay(250, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
