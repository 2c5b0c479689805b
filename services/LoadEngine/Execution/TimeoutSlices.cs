using System.Diagnostics;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>
/// Request timeouts without a timer per request: requests started within the same tenth of a second share one
/// cancellation source that fires a slice after the timeout, so a request times out between the timeout and the
/// timeout plus 100 ms. At tens of thousands of requests per second this saves as many timer registrations.
/// </summary>
internal sealed class TimeoutSlices(TimeSpan timeout, CancellationToken stop) : IDisposable
{
    private static readonly long SliceTicks = Stopwatch.Frequency / 10;
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly List<CancellationTokenSource> _all = [];
    private volatile TimeSlice? _current;

    /// <summary>The token of the current slice (linked to the run's stop token).</summary>
    public CancellationToken Current() => Current(Stopwatch.GetTimestamp());

    /// <summary>The token of the slice of <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp just taken).</summary>
    public CancellationToken Current(long now)
    {
        // The common case reads one field; only a new slice takes the lock.
        if (_current is { } fresh && now - fresh.Created < SliceTicks)
        {
            return fresh.Token;
        }

        lock (_lock)
        {
            if (_current is { } slice && now - slice.Created < SliceTicks)
            {
                return slice.Token;
            }

            var source = CancellationTokenSource.CreateLinkedTokenSource(stop);
            source.CancelAfter(timeout + Slice);
            _all.Add(source);
            _current = new TimeSlice(source.Token, now);
            return source.Token;
        }
    }

    private sealed record TimeSlice(CancellationToken Token, long Created);

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var source in _all)
            {
                source.Dispose();
            }

            _all.Clear();
        }
    }
}
