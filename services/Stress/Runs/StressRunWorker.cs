using BenchMesh.Contracts.Stress;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Load;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Runs;

/// <summary>
/// Executes accepted runs one at a time: two loads at once on the same machine would measure each other.
/// While a run goes, its completed-request count is written every half second so that GET shows progress
/// from any replica; at the end the result and <see cref="StressTestCompleted"/> are saved together
/// (the event through the outbox). Runs left over by an instance that is gone are failed by
/// <see cref="StressRunSupervisor"/>; the runs of this instance that a graceful stop interrupts are failed here, at once.
/// </summary>
public sealed class StressRunWorker(
    StressRunQueue queue,
    IServiceScopeFactory scopes,
    StressInstance instance,
    TimeProvider clock,
    ILogger<StressRunWorker> logger) : BackgroundService
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan StopWriteTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await ExecuteAsync(job, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Stress run {StressRunId} could not be recorded", job.StressRunId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping while waiting for a job.
        }

        await FailOwnRunsAsync();
    }

    /// <summary>
    /// The host is stopping: the run in progress was cancelled and the queued ones will never start (jobs live in
    /// this process's memory), so fail them now rather than leave them to the heartbeat sweep a minute later.
    /// </summary>
    private async Task FailOwnRunsAsync()
    {
        using var timeout = new CancellationTokenSource(StopWriteTimeout);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StressDbContext>();
            var failed = await StressRunOutcomes.FailInterruptedAsync(
                db,
                db.StressRuns.Where(r => r.Owner == instance.Id),
                _ => "interrupted: the stress service restarted (it was stopped while the run was queued or running).",
                clock.GetUtcNow(),
                timeout.Token);
            if (failed > 0)
            {
                logger.LogWarning("Marked {Count} stress run(s) interrupted by the stop as failed", failed);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            // Another replica's sweep fails them once their heartbeat is stale.
            logger.LogWarning(e, "Stress runs interrupted by the stop could not be marked failed");
        }
    }

    private async Task ExecuteAsync(StressJob job, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StressDbContext>();
        var runner = scope.ServiceProvider.GetRequiredService<ILoadRunner>();
        var starting = await db.StressRuns.Where(r => r.StressRunId == job.StressRunId && r.Status == StressRunStatuses.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StartedAt, clock.GetUtcNow()), stoppingToken);
        if (starting == 0)
        {
            // Failed while it waited (a replica took this instance for dead): nobody wants its measurement any more.
            logger.LogWarning("Stress run {StressRunId} ended before it started; skipped", job.StressRunId);
            return;
        }

        var progress = new LoadProgress();
        using var reporting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var reporter = ReportProgressAsync(job.StressRunId, progress, reporting.Token);
        LoadResult? result = null;
        string? error = null;
        try
        {
            var target = new LoadTarget(job.Agent.Protocol, job.Agent.Endpoint, job.Agent.ApiKey, job.Agent.ModelConfigurationJson);
            result = await runner.RunAsync(target, job.Plan, progress, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Stress run {StressRunId} failed", job.StressRunId);
            error = e.Message;
        }
        finally
        {
            await reporting.CancelAsync();
            await reporter;
        }

        var run = await db.StressRuns.SingleAsync(r => r.StressRunId == job.StressRunId, stoppingToken);
        if (run.Status != StressRunStatuses.Running)
        {
            logger.LogWarning("Stress run {StressRunId} was already {Status} ({Error}); its measurement is discarded", run.StressRunId, run.Status, run.Error);
            return;
        }

        run.RequestsCompleted = result?.Requests ?? progress.Completed;
        StressRunOutcomes.End(db, run, result, error, clock.GetUtcNow());
        try
        {
            // Not cancellable: a finished measurement is worth writing even while the host stops.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another replica failed it meanwhile, taking our heartbeat for dead; that end was published, keep it.
            logger.LogWarning("Stress run {StressRunId} was declared interrupted meanwhile; its measurement is discarded", run.StressRunId);
            return;
        }

        logger.LogInformation("Stress run {StressRunId} {Status}: {Requests} requests", run.StressRunId, run.Status, run.RequestsCompleted);
    }

    private async Task ReportProgressAsync(Guid stressRunId, LoadProgress progress, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StressDbContext>();
        using var timer = new PeriodicTimer(ProgressInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var completed = progress.Completed;
                await db.StressRuns.Where(r => r.StressRunId == stressRunId)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.RequestsCompleted, completed), ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
        catch (Exception e) when (e is DbUpdateException or Npgsql.NpgsqlException)
        {
            logger.LogWarning(e, "Progress of stress run {StressRunId} could not be written", stressRunId);
        }
    }
}
