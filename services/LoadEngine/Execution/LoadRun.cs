using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Scheduling;
using BenchMesh.LoadEngine.Thresholds;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>
/// One run in progress. The open model plans every request's intended start from the <see cref="ArrivalSchedule"/>,
/// sends it at that time (or as soon after as the timer allows) without waiting for earlier answers, and measures it
/// from the intended start. The closed model runs virtual users that each send, wait and send again. A monitor sets
/// the number of active users of a ramp and judges abort_on_fail thresholds over their sliding windows once a second.
/// Requests go through the run's <see cref="ILoadTransport"/>.
/// </summary>
internal sealed class LoadRun(LoadOptions options, RequestFactory factory, ILoadTransport transport)
{
    private static readonly TimeSpan MonitorTick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan InterruptWait = TimeSpan.FromSeconds(5);

    private readonly RunRecorder _recorder = new();
    private readonly ArrivalSchedule? _arrivals = options.ArrivalSchedule();
    private readonly ConcurrencySchedule? _users = options.ConcurrencySchedule();
    private readonly TimeSpan _duration = options.ScheduleDuration;
    private readonly long _lateTicks = (long)(options.LateTolerance.TotalSeconds * Stopwatch.Frequency);
    private long _start;
    private int _inFlight;
    private int _activeUsers;
    private long _claimed;
    private bool _scheduleCompleted;
    private string? _abortReason;
    private ThresholdResult? _abortedBy;
    private CancellationToken _stopRequests;
    private TimeoutSlices? _timeouts;

    public async Task<LoadResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        using var load = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var requests = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timeouts = new TimeoutSlices(options.RequestTimeout, requests.Token);
        _stopRequests = requests.Token;
        _timeouts = timeouts;

        var cpuBefore = Environment.CpuUsage.TotalTime;
        _start = Stopwatch.GetTimestamp();
        _activeUsers = _users?.UsersAt(TimeSpan.Zero) ?? 0;
        var monitor = MonitorAsync(load);

        if (_arrivals is not null)
        {
            // The schedule has a thread of its own, asleep between sends: a thread-pool thread woken every millisecond
            // would spin for more work after each wake-up, taking CPU from the target on a small machine.
            await Task.Factory.StartNew(() => Schedule(_arrivals, load.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
        else
        {
            load.CancelAfter(_duration);
            await Task.WhenAll(Enumerable.Range(0, _users!.Peak).Select(user => Task.Run(() => UserAsync(user, load.Token), CancellationToken.None))).ConfigureAwait(false);
        }

        var loadElapsed = Stopwatch.GetElapsedTime(_start);
        await load.CancelAsync().ConfigureAwait(false);
        await monitor.ConfigureAwait(false);

        // Graceful stop: let requests in flight finish, then interrupt the rest.
        if (!await WaitForInFlightAsync(options.GracefulStop).ConfigureAwait(false))
        {
            await requests.CancelAsync().ConfigureAwait(false);
            await WaitForInFlightAsync(InterruptWait).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var wall = Stopwatch.GetElapsedTime(_start);
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;

        // The window is the whole schedule when it ran out (the last request is due just before its end), else the time until it stopped.
        var reachedEnd = _abortReason is null && (_scheduleCompleted || loadElapsed >= _duration);
        var loadSeconds = reachedEnd ? _duration.TotalSeconds : Math.Min(loadElapsed.TotalSeconds, _duration.TotalSeconds);
        double? target = _arrivals is null ? null : _arrivals.ArrivalsBy(TimeSpan.FromSeconds(loadSeconds)) / Math.Max(loadSeconds, 1e-6);
        var completed = _recorder.CompletedCount;
        var generator = new GeneratorUsage(
            Math.Round(cpu.TotalSeconds / Math.Max(wall.TotalSeconds, 1e-6), 3),
            completed == 0 ? 0 : Math.Round(cpu.TotalMicroseconds / completed, 3),
            options.Connections,
            _arrivals is null ? _users!.Peak : options.MaxInFlight,
            transport.Name);
        var result = _recorder.ToResult(options, factory.Uri, loadSeconds, target, generator, _abortReason).Judge(options.Thresholds);
        if (_abortedBy is { } aborted)
        {
            result = result with { Thresholds = [.. result.Thresholds.Select(t => t.Expression == aborted.Expression ? aborted : t)] };
        }

        return result;
    }

    private void Schedule(ArrivalSchedule schedule, CancellationToken stop)
    {
        var duration = Math.Max(schedule.Duration.TotalSeconds, 1e-9);
        for (long n = 0; n < options.MaxRequests; n++)
        {
            if (schedule.IntendedOffset(n) is not { } offset)
            {
                _scheduleCompleted = true;
                return;
            }

            var intended = _start + (long)(offset.TotalSeconds * Stopwatch.Frequency);
            long wait;
            while ((wait = intended - Stopwatch.GetTimestamp()) > 0)
            {
                // Sleeps are in whole milliseconds: round up, and never send early.
                var milliseconds = (int)Math.Ceiling(wait * 1000.0 / Stopwatch.Frequency);
                if (stop.WaitHandle.WaitOne(milliseconds))
                {
                    return;
                }
            }

            if (stop.IsCancellationRequested)
            {
                return;
            }

            var second = (int)offset.TotalSeconds;
            if (Interlocked.Increment(ref _inFlight) > options.MaxInFlight)
            {
                Interlocked.Decrement(ref _inFlight);
                _recorder.Scheduled(second, dropped: true);
                continue;
            }

            _recorder.Scheduled(second, dropped: false);
            // Runs synchronously only until the request is written to its connection (or queued for one); the answer
            // is awaited elsewhere, so the schedule never waits for it.
            _ = SendAsync(n, intended, Stopwatch.GetTimestamp(), second, offset.TotalSeconds / duration, counted: true).AsTask();
        }
    }

    private async Task UserAsync(int user, CancellationToken stop)
    {
        var end = _start + (long)(_duration.TotalSeconds * Stopwatch.Frequency);
        var duration = Math.Max(_duration.TotalSeconds, 1e-9);
        while (!stop.IsCancellationRequested)
        {
            if (user >= Volatile.Read(ref _activeUsers))
            {
                try
                {
                    await Task.Delay(MonitorTick, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            var now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                return;
            }

            var n = Interlocked.Increment(ref _claimed) - 1;
            if (n >= options.MaxRequests)
            {
                return;
            }

            var elapsed = (double)(now - _start) / Stopwatch.Frequency;
            var second = (int)elapsed;
            Interlocked.Increment(ref _inFlight);
            // The transport is awaited here rather than through SendAsync: one async method fewer to suspend and resume
            // on every request of the closed model (measured with perf on `benchmesh stress`); the outcome is recorded
            // by the same Finish.
            var timeout = _timeouts!.Current(now);
            Exchange exchange = default;
            Exception? failure = null;
            try
            {
                exchange = await transport.SendAsync(n, elapsed / duration, timeout).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            Finish(now, now, second, timeout, exchange, failure, counted: false);
        }
    }

    /// <summary>
    /// Sends one request of the open model, intended at <paramref name="intended"/> (and sent at <paramref name="sent"/>),
    /// and records it (<see cref="Finish"/>); never throws. <paramref name="counted"/>: the request was already recorded
    /// as started. Its state machine comes from a pool: this runs for every request. (The closed model's users await
    /// the transport themselves.)
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(long sequence, long intended, long sent, int second, double progress, bool counted)
    {
        if (sent - intended > _lateTicks)
        {
            _recorder.Late();
        }

        var timeout = _timeouts!.Current(sent);
        Exchange exchange = default;
        Exception? failure = null;
        try
        {
            exchange = await transport.SendAsync(sequence, progress, timeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        Finish(intended, sent, second, timeout, exchange, failure, counted);
    }

    /// <summary>
    /// Records a request's outcome, its <paramref name="exchange"/> or the <paramref name="failure"/> the transport threw,
    /// and takes it out of the requests in flight; never throws. Every failure is counted, never thrown: a request that
    /// escaped accounting would hold up the graceful stop. One interrupted by the stop is counted as interrupted.
    /// </summary>
    private void Finish(long intended, long sent, int second, CancellationToken timeout, Exchange exchange, Exception? failure, bool counted)
    {
        int? status = null;
        string? error = null;
        TimeSpan? retryAfter = null;
        long end = 0;
        if (failure is null)
        {
            (status, error, retryAfter, end) = (exchange.Status, exchange.Error, exchange.RetryAfter, exchange.Ended);
        }
        else if (_stopRequests.IsCancellationRequested && failure is OperationCanceledException or HttpRequestException or IOException)
        {
            _recorder.Interrupted(second, counted);
            Interlocked.Decrement(ref _inFlight);
            return;
        }
        else
        {
            error = ErrorKinds.Classify(failure, timedOut: timeout.IsCancellationRequested);
        }

        // The answer's end as the transport saw it (before its connection went to the next request), else now.
        if (end == 0)
        {
            end = Stopwatch.GetTimestamp();
        }

        _recorder.Completed(second, Micros(end - intended), Micros(end - sent), Micros(sent - intended), status, error, retryAfter, counted);
        Interlocked.Decrement(ref _inFlight);
    }

    private async Task MonitorAsync(CancellationTokenSource load)
    {
        var abortRules = options.Thresholds.Where(t => t.AbortOnFail).ToArray();
        var lastJudged = -1;
        using var timer = new PeriodicTimer(MonitorTick);
        try
        {
            while (await timer.WaitForNextTickAsync(load.Token).ConfigureAwait(false))
            {
                var elapsed = Stopwatch.GetElapsedTime(_start);
                if (_users is not null)
                {
                    Volatile.Write(ref _activeUsers, _users.UsersAt(elapsed));
                }

                var second = (int)elapsed.TotalSeconds;
                if (abortRules.Length == 0 || second == lastJudged)
                {
                    continue;
                }

                lastJudged = second;
                if (Judge(abortRules, elapsed) is { } failed)
                {
                    _abortedBy = failed;
                    _abortReason = string.Create(CultureInfo.InvariantCulture,
                        $"threshold '{failed.Expression}' failed at {second}s over its window: {failed.Metric} was {failed.Observed:0.###} (limit {failed.Limit:0.###})");
                    await load.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The load ended.
        }
    }

    /// <summary>
    /// Judges abort rules over their windows. A window ends a second before the current one, so the requests of its
    /// seconds have had at least a second to answer; it covers whole seconds by intended start.
    /// </summary>
    private ThresholdResult? Judge(IEnumerable<Threshold> rules, TimeSpan elapsed)
    {
        var end = (int)elapsed.TotalSeconds - 1;
        foreach (var rule in rules)
        {
            var width = Math.Max(1, (int)rule.Window.TotalSeconds);
            if (elapsed < rule.Grace || end < 1)
            {
                continue;
            }

            var from = Math.Max(0, end - width);
            var outcome = rule.Evaluate(_recorder.Window(from, end, open: _arrivals is not null));
            if (!outcome.Passed && outcome.Limit is not null)
            {
                return outcome with { Note = $"aborted the run: seconds {from}-{end} failed" };
            }
        }

        return null;
    }

    private async Task<bool> WaitForInFlightAsync(TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Volatile.Read(ref _inFlight) > 0)
        {
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        return true;
    }

    private static long Micros(long ticks) => (long)(ticks * 1_000_000.0 / Stopwatch.Frequency);
}
