using System.Threading.Channels;
using BenchMesh.Stress.Catalog;

namespace BenchMesh.Stress.Runs;

/// <summary>A run accepted by the API, with what the worker needs to execute it (the credential stays in memory).</summary>
public sealed record StressJob(Guid StressRunId, AgentTarget Agent, string Scenario, IReadOnlyDictionary<string, double> Parameters, IReadOnlyList<string>? Inputs = null);

/// <summary>Runs waiting for the background worker, in the order they were accepted.</summary>
public sealed class StressRunQueue
{
    private readonly Channel<StressJob> _channel = Channel.CreateUnbounded<StressJob>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask EnqueueAsync(StressJob job, CancellationToken ct) => _channel.Writer.WriteAsync(job, ct);

    public IAsyncEnumerable<StressJob> ReadAllAsync(CancellationToken ct) => _channel.Reader.ReadAllAsync(ct);
}
