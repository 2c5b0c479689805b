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
        // Replace: adding the trigger of a schedule that has one changes nothing, so that the API and a reconciliation
        // (ScheduleReconciler) may both add it without either failing.
        await scheduler.ScheduleJob(job, trigger, ScheduleJobOptions.Replacing, ct);
    }

    /// <summary>The schedule's cron expression in its time zone, as stored (five fields are crontab's, as the API reads them).</summary>
    public static CronExpression CronOf(BenchmarkSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var format = schedule.CronExpression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 5 ? CronFormat.Unix : CronFormat.Quartz;
        return CronExpression.Parse(schedule.CronExpression, format).WithTimeZone(TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone));
    }

    /// <summary>The ids of the schedules Quartz has a job for.</summary>
    public async Task<IReadOnlyList<Guid>> ScheduleIdsAsync(CancellationToken ct)
    {
        var keys = await (await schedulers.GetScheduler(ct)).GetJobKeys(GroupMatcher<JobKey>.GroupEquals(Group), ct);
        return [.. keys.Select(k => Guid.TryParse(k.Name, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty)];
    }

    /// <returns>False when Quartz had no such job.</returns>
    public async Task<bool> RemoveAsync(Guid scheduleId, CancellationToken ct) =>
        await (await schedulers.GetScheduler(ct)).DeleteJob(JobKeyOf(scheduleId), ct);

    /// <summary>The trigger's next fire time; null when it has none (it will never fire again, or it is missing).</summary>
    public async Task<DateTimeOffset?> NextFireTimeAsync(Guid scheduleId, CancellationToken ct) =>
        (await (await schedulers.GetScheduler(ct)).GetTrigger(TriggerKeyOf(scheduleId), ct))?.NextFireTimeUtc;
}
