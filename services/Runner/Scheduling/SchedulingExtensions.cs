using BenchMesh.ServiceDefaults;
using Quartz;

namespace BenchMesh.Runner.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>One name for every replica: schedulers with the same name on the same tables form one cluster.</summary>
    public const string SchedulerName = "benchmesh-runner";

    /// <summary>Quartz's tables live in their own schema, created by the <c>QuartzSchema</c> migration.</summary>
    public const string TablePrefix = "quartz.qrtz_";

    /// <summary>
    /// Benchmark schedules (docs/runner.md, "Schedules"): a Quartz scheduler on the Runner's database with the
    /// clustered ADO.NET store, so that each fire time is claimed by exactly one replica (a compare-and-swap on the
    /// trigger row, or the <c>qrtz_locks</c> row lock under contention), and the triggers of a replica that stops
    /// checking in fire on the others.
    /// Registered after the database, so its hosted service starts once the migrations have created the tables.
    /// </summary>
    public static IHostApplicationBuilder AddBenchmarkScheduling(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetPostgresConnectionString(ResourceNames.RunnerDb, "benchmesh_runner");
        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = SchedulerName);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                // The tables come from a migration, so the scheduler only checks them (Quartz's default) and needs
                // no DDL rights of its own.
                store.ConfigureStore(o =>
                {
                    o.TablePrefix = TablePrefix;
                    o.StoreJobDataAsStrings = true;
                });
                // Each replica generates its instance id (host name and time) unless Quartz:Scheduler:InstanceId is set.
                store.UseClustering(c =>
                {
                    c.CheckinInterval = TimeSpan.FromSeconds(10);
                    c.CheckinMisfireThreshold = TimeSpan.FromSeconds(30);
                });
            });
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        builder.Services.AddSingleton<ScheduleTriggers>();
        // After Quartz's hosted service and the migrations (registered before): its first pass finds the tables there.
        builder.Services.AddSingleton<ScheduleReconciler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ScheduleReconciler>());
        return builder;
    }
}
