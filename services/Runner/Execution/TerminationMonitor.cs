using System.Diagnostics;
using System.Globalization;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Runner.Execution;

/// <summary>
/// Watches the calls of one phase (warm-ups or the measured passes) across concurrent callers and trips once, on
/// the first constraint that is passed: a task over a per-task limit (token_limit, or one a client reports such as
/// memory_limit), the cumulative cost, the wall-clock budget, or too many consecutive failures. Once tripped,
/// calls not yet started are skipped; calls already in flight finish (within their timeout) and are recorded.
/// </summary>
public sealed class TerminationMonitor(int maxConsecutiveFailures, ExecutionLimits limits)
{
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = new();
    private int _consecutiveFailures;
    private int _completedCalls;
    private decimal _cost;
    private Termination? _termination;

    public Termination? Termination
    {
        get
        {
            lock (_lock)
            {
                return _termination;
            }
        }
    }

    /// <summary>Wall-clock time since the first call started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Whether the next call should be skipped; starts the clock on the first call.</summary>
    public bool ShouldStop()
    {
        lock (_lock)
        {
            if (!_clock.IsRunning)
            {
                _clock.Start();
            }

            CheckTime();
            return _termination is not null;
        }
    }

    /// <summary>Counts a finished call. <paramref name="exceededLimit"/>: the per-task limit the task went over, if any.</summary>
    public void Observe(RawSample sample, string? exceededLimit)
    {
        lock (_lock)
        {
            _completedCalls++;
            _cost += sample.CostUsd;
            _consecutiveFailures = sample.ErrorKind is null ? 0 : _consecutiveFailures + 1;

            if (exceededLimit is not null)
            {
                Trip(exceededLimit, $"Task '{sample.ItemId}' of pass {sample.Iteration + 1} went over a per-task limit: {sample.Error}");
            }

            if (limits.CostLimitUsd is { } costLimit && _cost > costLimit)
            {
                Trip(TerminationReasons.CostLimit,
                    $"The measured calls cost {Usd(_cost)} USD, over the cost_limit_usd of {Usd(costLimit)} USD.");
            }

            CheckTime();

            if (_consecutiveFailures >= maxConsecutiveFailures)
            {
                Trip(TerminationReasons.ConsecutiveFailures,
                    $"{_consecutiveFailures} consecutive calls failed (max_consecutive_failures {maxConsecutiveFailures}); the last: {sample.ErrorKind}: {sample.Error}");
            }
        }
    }

    private void CheckTime()
    {
        if (limits.TotalTimeLimitMs is { } budget && _clock.Elapsed.TotalMilliseconds > budget)
        {
            Trip(TerminationReasons.TimeLimit,
                $"The measured calls took {_clock.Elapsed.TotalMilliseconds:0} ms, over the total_time_limit_ms of {budget} ms.");
        }
    }

    // The first constraint passed is the one reported.
    private void Trip(string reason, string detail) =>
        _termination ??= new Termination
        {
            Reason = reason,
            AtMs = _clock.Elapsed.TotalMilliseconds,
            AfterCalls = _completedCalls,
            Detail = detail,
        };

    private static string Usd(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
