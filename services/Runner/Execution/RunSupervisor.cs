using BenchMesh.Messaging.Resilience;
using BenchMesh.Persistence;
using BenchMesh.Runner.Consumers;
using BenchMesh.Runner.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Execution;

/// <summary>
/// Makes sure no run hangs: every <see cref="RunnerOptions.SupervisorOptions.Interval"/> it fails the pending benchmarks
/// that will not finish by themselves, saying in words what happened to each, and the run then ends as <c>failed</c>
/// (<see cref="RunProgressRecorder"/>). A benchmark is lost when
/// <list type="bullet">
/// <item>its results are stored but were not scored within <see cref="RunnerOptions.SupervisorOptions.ScoringTimeout"/>
/// (Scoring's message went to an error queue, or its fault could not be recorded);</item>
/// <item>a worker started it, stored nothing and has not beaten its heartbeat for
/// <see cref="RunnerOptions.SupervisorOptions.StalledAfter"/>;</item>
/// <item>its run passed its deadline (<see cref="RunnerOptions.SupervisorOptions.RunDeadline"/> after it was created or
/// retried), e.g. because its command was lost before any worker took it.</item>
/// </list>
/// One replica does the work at a time: the pass holds a PostgreSQL advisory lock, and the others skip it. Should two
/// passes overlap anyway, <see cref="RunProgressRecorder"/> fails each benchmark once.
/// </summary>
public sealed class RunSupervisor(
    IServiceScopeFactory scopes, IOptions<RunnerOptions> options, TimeProvider time, ILogger<RunSupervisor> logger) : BackgroundService
{
    /// <summary>The advisory lock's key: "runner supervisor" as a 64-bit number, the same in every replica.</summary>
    private const long LockKey = 0x52554E5355505256;

    private sealed record Lost(Guid RunId, Guid ExecutionId, string Reason);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Supervisor.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SuperviseAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database is down, say: the next pass tries again.
                    logger.LogWarning(e, "Supervising runs failed ({Cause}); trying again in {Interval}",
                        TransientFailures.Describe(e), options.Value.Supervisor.Interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One pass; returns how many benchmarks it failed.</summary>
    public async Task<int> SuperviseAsync(CancellationToken ct)
    {
        IReadOnlyList<Lost> lost;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RunnerDbContext>();
            lost = await db.InTransactionAsync(async token =>
            {
                var locked = await db.Database
                    .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"")
                    .SingleAsync(token);
                return locked ? await FindLostAsync(db, token) : [];
            }, ct);
        }

        foreach (var benchmark in lost)
        {
            await using var scope = scopes.CreateAsyncScope();
            var recorder = scope.ServiceProvider.GetRequiredService<RunProgressRecorder>();
            if (await recorder.RecordAsync(benchmark.RunId, benchmark.ExecutionId, entry =>
                {
                    entry.Status = RunStatuses.Failed;
                    entry.ErrorMessage = benchmark.Reason;
                }, ct))
            {
                logger.LogWarning("Benchmark {ExecutionId} of run {RunId} was lost: {Reason}", benchmark.ExecutionId, benchmark.RunId, benchmark.Reason);
            }
        }

        return lost.Count;
    }

    private async Task<IReadOnlyList<Lost>> FindLostAsync(RunnerDbContext db, CancellationToken ct)
    {
        var settings = options.Value.Supervisor;
        var now = time.GetUtcNow();
        var pending = await db.RunBenchmarks.AsNoTracking()
            .Where(b => b.Status == RunStatuses.Pending)
            .Join(db.Runs.Where(r => r.Status == RunStatuses.Queued || r.Status == RunStatuses.Running), b => b.RunId, r => r.RunId,
                (b, r) => new
                {
                    b.RunId,
                    b.ExecutionId,
                    b.LastActivityAt,
                    Since = r.RetriedAt ?? r.CreatedAt,
                    Stored = db.BenchmarkResults.Any(x => x.ExecutionId == b.ExecutionId),
                })
            .ToListAsync(ct);

        var lost = new List<Lost>();
        foreach (var b in pending)
        {
            var quiet = now - (b.LastActivityAt ?? b.Since);
            var reason = b.Stored && quiet >= settings.ScoringTimeout
                ? $"The agent's results were stored, but Scoring did not score them within {TransientRetryOptions.DurationText(settings.ScoringTimeout)}: " +
                  "its message was lost or failed. Retrying the run scores the stored results again without calling the agent."
                : !b.Stored && b.LastActivityAt is not null && quiet >= settings.StalledAfter
                    ? $"The runner worker executing this benchmark stopped reporting progress {TransientRetryOptions.DurationText(quiet)} ago " +
                      "and stored no results: it was lost. Retrying the run executes the benchmark again."
                    : now - b.Since >= settings.RunDeadline
                        ? $"The run passed its deadline ({TransientRetryOptions.DurationText(settings.RunDeadline)}) before this benchmark " +
                          (b.Stored ? "was scored." : b.LastActivityAt is null ? "was started by any runner worker." : "finished executing.") +
                          " Retrying the run " + (b.Stored ? "scores its stored results again." : "executes it again.")
                        : null;
            if (reason is not null)
            {
                lost.Add(new Lost(b.RunId, b.ExecutionId, reason));
            }
        }

        return lost;
    }
}
