using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Testing;

/// <summary>
/// Counts, per message type, the deliveries a host's consumers have finished (consumed or faulted). A test that asserts
/// that nothing more happened (a duplicate delivery changed nothing, no second event was published) waits for its own
/// deliveries to be finished here instead of sleeping through a grace period: a fixed sleep is either too short on a
/// busy machine or wasted on a quiet one.
/// </summary>
/// <remarks>
/// A consume observer sees a delivery after its whole consume pipe, the consumer's transactional outbox included, so
/// once the count is reached the consumer's database writes and outbox rows are committed. Messages the outbox then
/// sends are a separate step: wait for the outbox to be empty as well before reading what was published.
/// </remarks>
public sealed class ConsumedMessages : IConsumeObserver
{
    // Every finished message, kept: a test host consumes few, and a test may count the deliveries of one execution.
    private readonly ConcurrentQueue<object> _finished = new();

    /// <summary>Deliveries of <typeparamref name="T"/> finished so far.</summary>
    public int Of<T>() where T : class => _finished.OfType<T>().Count();

    /// <summary>Deliveries of <typeparamref name="T"/> matching <paramref name="predicate"/> finished so far.</summary>
    public int Count<T>(Func<T, bool> predicate) where T : class => _finished.OfType<T>().Count(predicate);

    /// <summary>Waits until <paramref name="count"/> deliveries of <typeparamref name="T"/> are finished.</summary>
    public Task WaitForAsync<T>(int count, TimeSpan timeout) where T : class =>
        Eventually.TrueAsync(() => Task.FromResult(Of<T>() >= count), timeout, $"{count} deliveries of {typeof(T).Name} to be consumed (so far {Of<T>()})");

    Task IConsumeObserver.PreConsume<T>(ConsumeContext<T> context) => Task.CompletedTask;

    Task IConsumeObserver.PostConsume<T>(ConsumeContext<T> context) => Finished(context.Message);

    Task IConsumeObserver.ConsumeFault<T>(ConsumeContext<T> context, Exception exception) => Finished(context.Message);

    private Task Finished(object message)
    {
        _finished.Enqueue(message);
        return Task.CompletedTask;
    }
}

public static class ConsumedMessagesRegistration
{
    /// <summary>Registers one <see cref="ConsumedMessages"/> as a consume observer of the host's bus (before it starts).</summary>
    public static IServiceCollection AddConsumedMessages(this IServiceCollection services)
    {
        services.AddSingleton<ConsumedMessages>();
        services.AddConsumeObserver(provider => provider.GetRequiredService<ConsumedMessages>());
        return services;
    }
}
