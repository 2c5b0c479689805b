using System.Collections.Concurrent;
using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;
using MassTransit;
using MassTransit.Events;
using MassTransit.Metadata;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>
/// A test's own MassTransit bus on the runner's virtual host: it sees what the runner publishes and publishes
/// what Scoring would.
/// </summary>
public sealed class BusObserver : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private BusObserver(IBusControl bus) => _bus = bus;

    public ConcurrentQueue<BenchmarkExecuted> Executed { get; } = new();
    public ConcurrentQueue<SuiteRunCompleted> Completed { get; } = new();

    /// <summary>Called for every BenchmarkExecuted, e.g. to answer like Scoring.</summary>
    public Func<BenchmarkExecuted, Task>? OnExecuted { get; set; }

    public static async Task<BusObserver> StartAsync(string rabbitMqUri)
    {
        BusObserver? observer = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(rabbitMqUri));
            cfg.ReceiveEndpoint($"test-observer-{Guid.NewGuid():N}", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.Handler<BenchmarkExecuted>(async ctx =>
                {
                    observer!.Executed.Enqueue(ctx.Message);
                    if (observer.OnExecuted is { } handler)
                    {
                        await handler(ctx.Message);
                    }
                });
                e.Handler<SuiteRunCompleted>(ctx =>
                {
                    observer!.Completed.Enqueue(ctx.Message);
                    return Task.CompletedTask;
                });
            });
        });
        observer = new BusObserver(bus);
        await bus.StartAsync();
        return observer;
    }

    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    /// <summary>The <see cref="Fault{T}"/> MassTransit publishes when a consumer of <paramref name="message"/> has failed for good.</summary>
    public Task PublishFaultAsync<T>(T message, Exception exception) where T : class =>
        _bus.Publish<Fault<T>>(new
        {
            FaultId = NewId.NextGuid(),
            FaultedMessageId = NewId.NextGuid(),
            Timestamp = DateTime.UtcNow,
            Exceptions = new[] { new FaultExceptionInfo(exception) },
            Host = HostMetadataCache.Host,
            FaultMessageTypes = MessageTypeCache<T>.MessageTypeNames,
            Message = message,
        });

    /// <summary>The scores Scoring would publish for an execution.</summary>
    public static ExecutionScored ScoresFor(BenchmarkExecuted executed, double score, string status = "completed") => new()
    {
        ExecutionId = executed.ExecutionId,
        RunId = executed.RunId,
        AgentId = executed.Agent.AgentId,
        AgentName = executed.Agent.AgentName,
        AgentVersion = executed.Agent.Version,
        SuiteId = executed.SuiteId,
        SuiteCategory = executed.SuiteCategory,
        BenchmarkId = executed.Benchmark.BenchmarkId,
        BenchmarkName = executed.Benchmark.Name,
        BenchmarkCategory = executed.Benchmark.Category,
        Status = status,
        Scores = new Scores(score, score, score, score, score, score),
        Metrics = new ExecutionMetrics
        {
            Samples = executed.Samples.Count,
            FailedSamples = executed.Samples.Count(s => s.ErrorKind is not null),
            Accuracy = score,
            ErrorRate = 0,
            MeanLatencyMs = 12,
            MedianLatencyMs = 11.5,
            P95LatencyMs = 20,
            MeanTokensPerTask = 8,
            MeanCostPerTaskUsd = 0.0001,
            TokensUsed = executed.Samples.Sum(s => s.InputTokens + s.OutputTokens),
            TotalCostUsd = executed.Samples.Sum(s => s.CostUsd),
            ApiCallsMade = executed.Samples.Count,
        },
        ScoredAt = DateTimeOffset.UtcNow,
    };

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
