using BenchMesh.Runner.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Execution;

/// <summary>
/// Keeps a benchmark's <see cref="RunBenchmarkEntry.LastActivityAt"/> fresh while a worker executes it, so that the
/// supervisor (<see cref="RunSupervisor"/>) can tell a long benchmark from one whose worker is gone. Each beat uses its
/// own DbContext (the consumer's is busy); a beat that fails (the database is down) is skipped, not retried.
/// </summary>
public sealed class BenchmarkHeartbeat(
    IServiceScopeFactory scopes, IOptions<RunnerOptions> options, TimeProvider time, ILogger<BenchmarkHeartbeat> logger)
{
    /// <summary>Beats for <paramref name="executionId"/> until disposed.</summary>
    public IAsyncDisposable Start(Guid executionId) => new Beat(
        token => BeatAsync(executionId, token),
        options.Value.Supervisor.HeartbeatInterval,
        time,
        e => logger.LogDebug(e, "Heartbeat of benchmark {ExecutionId} skipped", executionId));

    private async Task BeatAsync(Guid executionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RunnerDbContext>();
        var now = time.GetUtcNow();
        await db.RunBenchmarks
            .Where(b => b.ExecutionId == executionId && b.Status == RunStatuses.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.LastActivityAt, now), ct);
    }

    private sealed class Beat : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Beat(Func<CancellationToken, Task> beat, TimeSpan interval, TimeProvider time, Action<Exception> skipped) =>
            _loop = RunAsync(beat, interval, time, skipped, _stop.Token);

        private static async Task RunAsync(
            Func<CancellationToken, Task> beat, TimeSpan interval, TimeProvider time, Action<Exception> skipped, CancellationToken ct)
        {
            using var timer = new PeriodicTimer(interval, time);
            try
            {
                while (await timer.WaitForNextTickAsync(ct))
                {
                    try
                    {
                        await beat(ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        skipped(e);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Disposed: the benchmark's agent calls are over.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
