using System.Diagnostics;

namespace BenchMesh.FaultInjection;

/// <summary>
/// One process the program started (a service, the agent), which it can SIGKILL, start again with the same command,
/// and stop. It runs in its own session (util-linux <c>setsid</c>), so that a Ctrl-C in the terminal reaches only the
/// program, which then stops every process it started, by PID. Output goes to a log file, appended across restarts.
/// </summary>
public sealed class ManagedProcess(string name, string workingDirectory, IReadOnlyList<string> command,
    IReadOnlyDictionary<string, string> environment, string logPath, Uri? healthUrl)
{
    private Process? _process;

    public string Name => name;
    public Uri? HealthUrl => healthUrl;
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;
    public bool IsRunning => _process is { HasExited: false };

    public void Start()
    {
        // setsid execs (it does not fork: a child of this process is no process-group leader), then bash execs the
        // command: the PID we get is the command's own, which is what a SIGKILL must hit.
        var start = new ProcessStartInfo("setsid") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        foreach (var argument in (string[])["bash", "-c", "exec \"$@\" >>\"$BM_FAULTS_LOG\" 2>&1", "bash", .. command])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["BM_FAULTS_LOG"] = logPath;
        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
    }

    /// <summary>SIGKILL: no shutdown, no acknowledgements, as a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit();
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process is not { HasExited: false } p)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Waits until the process answers 200 on its health URL (every check: database, bus), or fails.</summary>
    public async Task WaitHealthyAsync(HttpClient http, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (!IsRunning)
            {
                throw new InvalidOperationException($"{name} exited; see {logPath}");
            }

            try
            {
                using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
                probe.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync(healthUrl, probe.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // Not listening yet, or a check still failing: ask again.
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"{name} was not healthy within {timeout.TotalSeconds:0} s; see {logPath}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }
}
