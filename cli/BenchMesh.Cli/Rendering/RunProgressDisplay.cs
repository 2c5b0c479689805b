using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using BenchMesh.Cli.Gateway;

namespace BenchMesh.Cli.Rendering;

/// <summary>The outcome of following a run: its last known state, and whether it finished in time.</summary>
internal sealed record TrackedRun(RunStatus Run, bool Finished);

/// <summary>
/// Follows a run by polling until it completes, fails or the timeout passes. On an interactive terminal
/// it draws a Spectre progress bar; otherwise (CI, pipes, --json) it prints one plain line per change,
/// because a live display written to a file is unreadable and Spectre cannot redraw without a TTY.
/// </summary>
internal sealed class RunProgressDisplay(IAnsiConsole console, TimeSpan pollInterval)
{
    public Task<TrackedRun> TrackAsync(string runId, Func<CancellationToken, Task<RunStatus>> poll, TimeSpan timeout, CancellationToken ct) =>
        console.Profile.Capabilities.Interactive
            ? TrackInteractiveAsync(runId, poll, timeout, ct)
            : PollAsync(poll, timeout, WriteLineOnChange(runId), ct);

    private async Task<TrackedRun> TrackInteractiveAsync(string runId, Func<CancellationToken, Task<RunStatus>> poll, TimeSpan timeout, CancellationToken ct)
    {
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape($"run {runId}: queued"), maxValue: 1);
                task.IsIndeterminate = true;
                var tracked = await PollAsync(poll, timeout, run =>
                {
                    var (completed, total) = Counts(run);
                    task.IsIndeterminate = total == 0;
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = completed;
                    task.Description = Markup.Escape($"run {runId}: {run.Status}, {completed}/{total} benchmarks");
                }, ct);
                if (tracked.Finished)
                {
                    task.Value = task.MaxValue;
                }

                task.StopTask();
                return tracked;
            });
    }

    private Action<RunStatus> WriteLineOnChange(string runId)
    {
        (string Status, int Completed, int Total)? last = null;
        return run =>
        {
            var (completed, total) = Counts(run);
            var current = (run.Status, completed, total);
            if (current == last)
            {
                return;
            }

            last = current;
            var time = DateTimeOffset.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            console.Write(new Text($"[{time}] run {runId}: {run.Status}, {completed}/{total} benchmarks{Environment.NewLine}"));
        };
    }

    private async Task<TrackedRun> PollAsync(Func<CancellationToken, Task<RunStatus>> poll, TimeSpan timeout, Action<RunStatus> report, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var run = await poll(ct);
            report(run);
            if (run.IsFinished)
            {
                return new TrackedRun(run, Finished: true);
            }

            var remaining = timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                return new TrackedRun(run, Finished: false);
            }

            await Task.Delay(remaining < pollInterval ? remaining : pollInterval, ct);
        }
    }

    private static (int Completed, int Total) Counts(RunStatus run) =>
        (run.Progress?.CompletedBenchmarks ?? 0, run.Progress?.TotalBenchmarks ?? 0);
}
