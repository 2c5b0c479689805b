using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace BenchMesh.Messaging.Resilience;

/// <summary>
/// The same wait as the bus's retry (<see cref="TransientRetryOptions"/>), for work that must not be repeated as a whole
/// by the bus: the runner holds an agent's paid results in memory and retries only their write, and background
/// services retry their own passes. Only <see cref="TransientFailures.IsTransient"/> failures are retried.
/// </summary>
public sealed class TransientRetry
{
    private readonly ResiliencePipeline _pipeline;

    public TransientRetry(IOptions<TransientRetryOptions> options, ILogger<TransientRetry> logger)
    {
        Options = options.Value;
        var intervals = Options.Intervals();
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(TransientFailures.IsTransient),
                MaxRetryAttempts = Math.Max(1, intervals.Count),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(intervals[Math.Min(args.AttemptNumber, intervals.Count - 1)]),
                OnRetry = args =>
                {
                    logger.LogWarning(args.Outcome.Exception, "{What} failed ({Cause}); retry {Attempt} in {Delay}",
                        args.Context.OperationKey, TransientFailures.Describe(args.Outcome.Exception), args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public TransientRetryOptions Options { get; }

    /// <summary>Runs <paramref name="work"/>, again after each transient failure, for up to the budget.</summary>
    public async Task<T> ExecuteAsync<T>(string what, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(what, ct);
        try
        {
            return await _pipeline.ExecuteAsync(async c => await work(c.CancellationToken), context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public Task ExecuteAsync(string what, Func<CancellationToken, Task> work, CancellationToken ct) =>
        ExecuteAsync(what, async token => { await work(token); return true; }, ct);
}
