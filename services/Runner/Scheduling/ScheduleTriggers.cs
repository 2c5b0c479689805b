using BenchMesh.Runner.Data;
using Quartz;

namespace BenchMesh.Runner.Scheduling;

/// <summary>The Quartz side of a schedule: one (non-durable) job and one cron trigger, both keyed by the schedule id.</summary>
public sealed class ScheduleTriggers(ISchedulerFactory schedulers)
{
    public const string Group = "benchmark-schedules";

    public static JobKey JobKeyOf(Guid scheduleId) => new(scheduleId.ToString(), Group);

    public static TriggerKey TriggerKeyOf(Guid scheduleId) => new(scheduleId.ToString(), Group);

    public async Task AddAsync(BenchmarkSchedule schedule, CronExpression cron, CancellationToken ct)
    {
        var scheduler = await schedulers.GetScheduler(ct);
        var job = JobBuilder.Create<ScheduledRunJob>().WithIdentity(JobKeyOf(schedule.ScheduleId)).Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(TriggerKeyOf(schedule.ScheduleId))
            .ForJob(job)
            // A fire time missed while no replica ran (a deployment at 03:00 on the 1st) fires once when one is back:
            // skipping it would leave the agent unbenchmarked until the next fire time.
            .WithCronSchedule(cron, b => b.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();
        await scheduler.ScheduleJob(job, trigger, cancellationToken: ct);
    }

    /// <returns>False when Quartz had no such job.</returns>
    public async Task<bool> RemoveAsync(Guid scheduleId, CancellationToken ct) =>
        await (await schedulers.GetScheduler(ct)).DeleteJob(JobKeyOf(scheduleId), ct);

    /// <summary>The trigger's next fire time; null when it has none (it will never fire again, or it is missing).</summary>
    public async Task<DateTimeOffset?> NextFireTimeAsync(Guid scheduleId, CancellationToken ct) =>
        (await (await schedulers.GetScheduler(ct)).GetTrigger(TriggerKeyOf(scheduleId), ct))?.NextFireTimeUtc;
}
