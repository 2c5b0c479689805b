using System.Text.Json;
using BenchMesh.Persistence;
using BenchMesh.Runner.Apis;
using BenchMesh.Runner.Data;
using BenchMesh.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace BenchMesh.Runner.Scheduling;

/// <summary>
/// One firing of a schedule: starts the run through <see cref="RunStarter"/> (exactly what <c>POST /benchmarks/run</c>
/// does, as the schedule's workspace) and records the firing in the same transaction as the run. A firing that cannot start a run (the agent or
/// suite was deleted, the agent is unreachable, the catalog is down) is recorded with the reason, not thrown: the
/// schedule keeps firing, and the coverage report shows the agent going stale.
/// </summary>
public sealed class ScheduledRunJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<ScheduledRunJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var scheduleId = Guid.Parse(context.JobDetail.Key.Name);
        var scheduledFor = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RunnerDbContext>();
        var schedule = await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.ScheduleId == scheduleId, cancellationToken);
        if (schedule is null)
        {
            // Deleted: DELETE removes the row, then the job. The job is still here when it fired in between, or when the
            // deletion was interrupted after the row; it removes itself so that it stops firing (idempotent with DELETE).
            logger.LogInformation("Schedule {ScheduleId} no longer exists; firing at {ScheduledFor} skipped and its job removed", scheduleId, scheduledFor);
            await context.Scheduler.DeleteJob(context.JobDetail.Key, cancellationToken);
            return;
        }

        var configuration = JsonSerializer.Deserialize<EffectiveRunConfiguration>(schedule.ConfigurationJson, ServiceDefaultsExtensions.PublicJson)!;
        var starter = scope.ServiceProvider.GetRequiredService<RunStarter>();
        var (run, refusal) = await starter.PrepareAsync(
            RunAccess.ScheduleCaller(schedule.WorkspaceId, schedule.ScheduleId), schedule.AgentId, schedule.AgentVersion, schedule.SuiteId,
            configuration, cancellationToken);
        db.ScheduleFirings.Add(new ScheduleFiring
        {
            FiringId = Guid.CreateVersion7(),
            ScheduleId = scheduleId,
            ScheduledFor = scheduledFor,
            FiredAt = time.GetUtcNow(),
            Outcome = run is null ? refusal!.Code : FiringOutcomes.Started,
            RunId = run?.RunId,
            Detail = refusal?.Detail is { Length: > ScheduleFiring.MaxDetailLength } detail ? detail[..ScheduleFiring.MaxDetailLength] : refusal?.Detail,
            InstanceId = context.Scheduler.SchedulerInstanceId,
        });

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // The fire time was already recorded, so its run exists: the constraint, not only the cluster's lock,
            // keeps a fire time to one run.
            logger.LogWarning("Schedule {ScheduleId}: the firing at {ScheduledFor} was already recorded; no second run", scheduleId, scheduledFor);
            return;
        }

        if (run is null)
        {
            logger.LogWarning("Schedule {ScheduleId} started no run at {ScheduledFor}: {Outcome} ({Detail})",
                scheduleId, scheduledFor, refusal!.Code, refusal.Detail);
        }
        else
        {
            logger.LogInformation("Schedule {ScheduleId} started run {RunId} for {ScheduledFor}", scheduleId, run.RunId, scheduledFor);
        }
    }
}
