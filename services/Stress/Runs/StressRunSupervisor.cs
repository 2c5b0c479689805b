using System.Globalization;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Distributed;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Stress.Runs;

/// <summary>
/// Keeps this instance's runs alive and fails the runs of instances that are gone.
///
/// A run's job lives only in the memory of the instance that accepted it (<c>stress_runs.owner</c>), so a run whose
/// owner died will never finish. Deciding that an owner died: we cannot ask another instance's process directly. A
/// machine-name + pid check only works for an owner on this machine, and even there it is unsafe (containers on one
/// host have separate pid namespaces, a host name is not guaranteed unique, pids are reused). So every instance
/// refreshes <c>heartbeat_at</c> of the runs it owns, queued or running, every
/// <see cref="StressRunOptions.HeartbeatInterval"/> (5 s), and every instance, at start and then every
/// <see cref="StressRunOptions.SweepInterval"/>, fails the running runs whose heartbeat is older than
/// <see cref="StressRunOptions.StaleAfter"/> (1 min). That is correct with any number of replicas, and across
/// restarts: a restarted instance has a new owner id (its start time is part of it), so it never keeps its
/// predecessor's runs alive. The price is that a crashed instance's runs are reported failed up to a minute
/// (plus a sweep) late; a graceful stop fails them at once (<see cref="StressRunWorker"/>).
/// Distributed runs (<c>workers</c> &gt; 1) are not held by one instance: no heartbeat applies to them; every tick, any
/// instance fails those past their deadline (<see cref="DistributedRuns.FailOverdueAsync"/>).
/// </summary>
public sealed class StressRunSupervisor(
    IServiceScopeFactory scopes,
    StressInstance instance,
    IOptions<StressRunOptions> options,
    TimeProvider clock,
    ILogger<StressRunSupervisor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(o.HeartbeatInterval, clock);
        var nextSweep = clock.GetUtcNow();
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<StressDbContext>();
                var now = clock.GetUtcNow();
                await db.StressRuns
                    .Where(r => r.Owner == instance.Id && r.Status == StressRunStatuses.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, now), stoppingToken);

                if (now >= nextSweep)
                {
                    nextSweep = now + o.SweepInterval;
                    await FailAbandonedRunsAsync(db, now, o.StaleAfter, stoppingToken);
                }

                // Distributed runs have no heartbeat: they end when every share has reported, or at their deadline.
                var overdue = await DistributedRuns.FailOverdueAsync(db, now, stoppingToken);
                if (overdue > 0)
                {
                    logger.LogWarning("Failed {Count} distributed stress run(s) whose shares did not all report by the deadline", overdue);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException)
            {
                // The database is unreachable for now; the next tick tries again (several must fail in a row before
                // another replica counts our runs as abandoned).
                logger.LogWarning(e, "Stress run heartbeat or sweep failed; retrying");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task FailAbandonedRunsAsync(StressDbContext db, DateTimeOffset now, TimeSpan staleAfter, CancellationToken ct)
    {
        var cutoff = now - staleAfter;
        var failed = await StressRunOutcomes.FailInterruptedAsync(
            db,
            db.StressRuns.Where(r => r.HeartbeatAt < cutoff && r.Owner != instance.Id && r.Workers <= 1),
            run => string.Create(CultureInfo.InvariantCulture,
                $"interrupted: the stress service restarted (instance {run.Owner} last reported the run at {run.HeartbeatAt:O})."),
            now,
            ct);
        if (failed > 0)
        {
            logger.LogWarning("Marked {Count} interrupted stress run(s) as failed", failed);
        }
    }
}
