using System.Text.Json;
using BenchMesh.Contracts.Stress;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Load;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Runs;

/// <summary>
/// Executes accepted runs one at a time: two loads at once on the same machine would measure each other.
/// While a run goes, its completed-request count is written every half second so that GET shows progress
/// from any replica; at the end the result and <see cref="StressTestCompleted"/> are saved together
/// (the event through the outbox).
/// </summary>
public sealed class StressRunWorker(
    StressRunQueue queue,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<StressRunWorker> logger) : BackgroundService
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await FailInterruptedRunsAsync(stoppingToken);
        await foreach (var job in queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                await ExecuteAsync(job, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Stress run {StressRunId} could not be recorded", job.StressRunId);
            }
        }
    }

    /// <summary>
    /// Jobs live in this process's memory; after a restart a run left "running" will never finish, so say so.
    /// (The stress service runs as one replica: a load generator is not scaled out behind a queue.)
    /// </summary>
    private async Task FailInterruptedRunsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StressDbContext>();
        var now = clock.GetUtcNow();
        var interrupted = await db.StressRuns
            .Where(r => r.Status == StressRunStatuses.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, StressRunStatuses.Failed)
                .SetProperty(r => r.Error, "Interrupted: the stress service restarted while the run was pending or running.")
                .SetProperty(r => r.CompletedAt, now), ct);
        if (interrupted > 0)
        {
            logger.LogWarning("Marked {Count} interrupted stress run(s) as failed", interrupted);
        }
    }

    private async Task ExecuteAsync(StressJob job, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StressDbContext>();
        var runner = scope.ServiceProvider.GetRequiredService<ILoadRunner>();
        await db.StressRuns.Where(r => r.StressRunId == job.StressRunId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StartedAt, clock.GetUtcNow()), stoppingToken);

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
        var now = clock.GetUtcNow();
        run.Status = result is null ? StressRunStatuses.Failed : StressRunStatuses.Completed;
        run.Error = error;
        run.CompletedAt = now;
        run.RequestsCompleted = result?.Requests ?? progress.Completed;
        run.ResultJson = result is null ? null : JsonSerializer.Serialize(StressResult.From(result), ServiceDefaultsExtensions.PublicJson);
        db.AddOutboxMessage(new StressTestCompleted
        {
            StressRunId = run.StressRunId,
            AgentId = run.AgentId,
            AgentVersion = run.AgentVersion,
            Scenario = run.Scenario,
            Status = run.Status,
            Requests = result?.Requests ?? 0,
            Errors = result?.Errors ?? 0,
            ErrorRate = result?.ErrorRate ?? 0,
            AchievedRps = result?.AchievedRps ?? 0,
            P50LatencyMs = result?.LatencyMs.P50 ?? 0,
            P95LatencyMs = result?.LatencyMs.P95 ?? 0,
            P99LatencyMs = result?.LatencyMs.P99 ?? 0,
            CompletedAt = now,
        });
        // Not cancellable: a finished measurement is worth writing even while the host stops.
        await db.SaveChangesAsync(CancellationToken.None);
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
