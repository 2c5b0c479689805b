using System.Collections.Concurrent;
using MassTransit;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>
/// Every message the Runner host's consumers have finished with (successfully or not): lets a test wait until a
/// message it published has been handled, instead of sleeping, before asserting that it changed nothing.
/// </summary>
public sealed class ConsumedMessages : IConsumeObserver
{
    private readonly ConcurrentQueue<object> _messages = new();

    public int Count<T>(Func<T, bool> predicate) => _messages.OfType<T>().Count(predicate);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        _messages.Enqueue(context.Message);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        _messages.Enqueue(context.Message);
        return Task.CompletedTask;
    }
}
