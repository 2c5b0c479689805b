using System.Threading.Tasks.Sources;

namespace BenchMesh.LoadEngine.Transport.Epoll;

/// <summary>
/// One request's outcome on the epoll transport, awaited as a <see cref="ValueTask{TResult}"/>: completed on the loop's
/// thread, which then runs the awaiter's continuation itself (the closed model's user sends its next request from there,
/// as wrk's loop does). Reused from request to request through its transport's free list once its result is taken.
/// </summary>
internal sealed class EpollExchange(Action<EpollExchange> recycle) : IValueTaskSource<Exchange>
{
    private ManualResetValueTaskSourceCore<Exchange> _core;

    public short Version => _core.Version;

    public void Reset() => _core.Reset();

    public void SetResult(Exchange exchange) => _core.SetResult(exchange);

    public void SetException(Exception error) => _core.SetException(error);

    public Exchange GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            recycle(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
