using Xunit.Abstractions;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Cli.Tests;

/// <summary>The real executable with redirected output, as in CI: no TTY, so Spectre must not draw a
/// live display, and the process's own console setup (FromProcess) must work.</summary>
public sealed class ProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_without_a_terminal_prints_plain_progress_and_the_report()
    {
        var polls = 0;
        await using var gateway = await FakeGateway.StartAsync(app =>
        {
            app.MapPost("/benchmarks/run", () => Results.Json(new { run_id = "run-7", status = "queued", status_url = "/benchmarks/runs/run-7" }, statusCode: 202));
            app.MapGet("/benchmarks/runs/{id}", () => Api.Json(Interlocked.Increment(ref polls) < 2
                ? Api.Run("run-7", "running", 1, 2)
                : Api.Run("run-7", "completed", 2, 2, Api.Report())));
            app.MapGet("/benchmarks/agents/{agent}/regressions", () => Api.Json(Api.Regressions(hasRegressions: true)));
        });

        var (exitCode, stdout, stderr) = await RunProcessAsync(gateway.Url, "run", "--agent", "agent-1", "--suite", "suite-1");
        output.WriteLine(stdout);
        output.WriteLine(stderr);

        Assert.Equal(2, exitCode);
        Assert.Contains("run run-7: running, 1/2 benchmarks", stdout);
        Assert.Contains("run run-7: completed, 2/2 benchmarks", stdout);
        Assert.DoesNotContain("\u001b[", stdout, StringComparison.Ordinal); // no cursor movement or colours in a file
        // Redirected output is laid out 160 wide, so every report row stays on one line.
        Assert.Contains(stdout.Split('\n'), line => line.Contains("summarize", StringComparison.Ordinal) && line.Contains("0.541", StringComparison.Ordinal) && line.Contains("92.4", StringComparison.Ordinal));
        Assert.Contains("regression(s)", stderr);
    }

    [Fact]
    public async Task Stress_runs_the_closed_model_in_its_own_process_with_the_socket_engine_defaults_it_sets_itself()
    {
        await using var target = await FakeGateway.StartAsync(app => app.MapGet("/", () => "ok"));

        // The socket settings removed from the child's environment: the process must apply them itself, and its
        // request loop then runs on the epoll thread (SocketEngineDefaults).
        var (exitCode, stdout, stderr) = await RunProcessAsync(target.Url, "stress", "--url", target.Url, "--executor", "constant-concurrency",
            "--connections", "4", "--duration", "1s", "--json");
        output.WriteLine(stderr);

        Assert.True(exitCode == 0, stderr);
        using var report = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.True(report.RootElement.GetProperty("requests").GetInt64() > 0, stdout);
        Assert.Equal(0, report.RootElement.GetProperty("error_count").GetInt64());
    }

    [Fact]
    public void The_cli_runs_with_the_runtime_settings_stress_is_measured_with()
    {
        // Read from the runtimeconfig the CLI ships with (the csproj writes it): the runtime takes these at start-up,
        // before any code of the CLI's own could set them.
        var path = Path.ChangeExtension(typeof(Cli).Assembly.Location, ".runtimeconfig.json");
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        // No dynamic PGO: each stress run is a fresh process, and PGO's extra compilation ran inside the measured window.
        Assert.False(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(string gateway, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Cli).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[Cli.GatewayEnvironmentVariable] = gateway;
        start.Environment.Remove("COLUMNS");
        start.Environment.Remove(SocketEngineDefaults.InlineCompletions);
        start.Environment.Remove(SocketEngineDefaults.ThreadCount);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
