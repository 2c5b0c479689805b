using BenchMesh.Runner.Data;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Scheduling;

/// <summary>
/// Keeps Quartz's triggers in step with the schedule rows. The row is the schedule; its trigger follows it. They cannot
/// be written in one transaction (Quartz stores on its own connections), so the API writes the row first and removes it
/// first, and a process that dies between the two leaves either a row without a trigger (created, never firing) or a
/// trigger without a row (deleted, still firing). This pass repairs both: it adds the missing triggers and removes the
/// orphaned ones, at start and then every <see cref="Interval"/>. Each step is idempotent, so replicas may run it at once.
/// </summary>
public sealed class ScheduleReconciler(
    IServiceScopeFactory scopes, ScheduleTriggers triggers, ILogger<ScheduleReconciler> logger) : BackgroundService
{
    /// <summary>How often the pass runs after the first; a half-written schedule is that old at most (or a restart's age).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>What one pass repaired.</summary>
    public sealed record Repairs(int TriggersAdded, int TriggersRemoved);

    public async Task<Repairs> ReconcileAsync(CancellationToken ct)
    {
        // The jobs before the rows: a create in flight (row committed, then trigger) is then never taken for an orphan,
        // since a job seen here had its row committed before. A delete in flight (row gone, then trigger) is an orphan
        // either way, which is what it is about to be.
        var jobs = (await triggers.ScheduleIdsAsync(ct)).ToHashSet();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RunnerDbContext>();
        var schedules = await db.Schedules.AsNoTracking().ToListAsync(ct);

        var added = 0;
        foreach (var schedule in schedules.Where(s => !jobs.Contains(s.ScheduleId)))
        {
            await triggers.AddAsync(schedule, ScheduleTriggers.CronOf(schedule), ct);
            logger.LogWarning("Schedule {ScheduleId} had no trigger (its creation was interrupted); added", schedule.ScheduleId);
            added++;
        }

        var rows = schedules.Select(s => s.ScheduleId).ToHashSet();
        var removed = 0;
        foreach (var orphan in jobs.Where(id => !rows.Contains(id)))
        {
            if (await triggers.RemoveAsync(orphan, ct))
            {
                logger.LogWarning("Trigger of schedule {ScheduleId} had no schedule (its deletion was interrupted); removed", orphan);
                removed++;
            }
        }

        return new Repairs(added, removed);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database or Quartz's tables unavailable: the next pass tries again.
                logger.LogWarning(e, "Reconciling schedules with their triggers failed; next attempt in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
