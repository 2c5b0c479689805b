using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Runner.Scheduling;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;
using Quartz.Extensibility;
using Xunit.Abstractions;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// Schedules against the real PostgreSQL (Quartz's clustered store) and RabbitMQ: one run per fire time however many
/// replicas run, a schedule that outlives its scheduler, firings that cannot start a run, and the coverage report.
/// Cron expressions fire every second (the replicas allow it) instead of monthly.
/// </summary>
public sealed class ScheduleTests(Infrastructure infrastructure, ITestOutputHelper output) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private const string EverySecond = "* * * * * ?";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly SampleAgentsServer _sampleAgents = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sampleAgents.DisposeAsync();

    [Fact]
    public async Task Two_replicas_start_exactly_one_run_per_fire_time()
    {
        var database = infrastructure.CreateDatabase("sched_cluster");
        var rabbitMq = await infrastructure.CreateVirtualHostAsync("sched_cluster");
        var catalog = new FakeSuiteCatalog();
        var (agentId, suiteId) = AddAgentAndSuite(catalog);
        var executions = new FiringLog();

        await using var replicaA = RunnerHost.StartReplica(database, rabbitMq, catalog, "replica-a");
        await using var replicaB = RunnerHost.StartReplica(database, rabbitMq, catalog, "replica-b");
        await executions.ListenToAsync(replicaA);
        await executions.ListenToAsync(replicaB);

        var schedule = await CreateAsync(replicaA.CreateClient().WithCaller(), agentId, suiteId, EverySecond);
        const int fireTimes = 8;
        await Eventually.TrueAsync(async () => await CountAsync(database, "schedule_firings") >= fireTimes, Wait, $"{fireTimes} firings");

        // Stopping both schedulers waits for firings in flight; after that nothing can be recorded any more.
        await replicaA.DisposeAsync();
        await replicaB.DisposeAsync();

        var firings = await FiringsAsync(database, schedule);
        output.WriteLine($"{firings.Count} firings; by replica: {string.Join(", ", firings.GroupBy(f => f.InstanceId).Select(g => $"{g.Key}={g.Count()}"))}");
        Assert.All(firings, f => Assert.Equal("started", f.Outcome));

        // Quartz executed each fire time once, on one replica or the other, and every execution recorded its firing:
        // the unique constraint on (schedule, fire time) never had to refuse a second one.
        var executed = executions.For(schedule);
        Assert.Equal(executed.Count, executed.Select(e => e.ScheduledFor).Distinct().Count());
        Assert.Equal(executed.Select(e => e.ScheduledFor).Order(), firings.Select(f => f.ScheduledFor).Order());
        Assert.All(executed, e => Assert.Contains(e.InstanceId, new[] { "replica-a", "replica-b" }));

        // One run per firing, each run its own, and nothing else started.
        Assert.Equal(firings.Count, firings.Select(f => f.RunId).Distinct().Count());
        Assert.Equal(firings.Count, await CountAsync(database, "runs"));
    }

    [Fact]
    public async Task A_schedule_outlives_its_scheduler_and_fires_after_a_restart()
    {
        var database = infrastructure.CreateDatabase("sched_restart");
        var rabbitMq = await infrastructure.CreateVirtualHostAsync("sched_restart");
        var catalog = new FakeSuiteCatalog();
        var (agentId, suiteId) = AddAgentAndSuite(catalog);

        Guid schedule;
        await using (var first = RunnerHost.StartReplica(database, rabbitMq, catalog, "before-restart"))
        {
            schedule = await CreateAsync(first.CreateClient().WithCaller(), agentId, suiteId, EverySecond);
        }

        // A new scheduler process on the same database: the schedule is there, and it fires from this one.
        await using var second = RunnerHost.StartReplica(database, rabbitMq, catalog, "after-restart");
        var http = second.CreateClient().WithCaller();
        await Eventually.TrueAsync(
            async () => (await FiringsAsync(database, schedule)).Any(f => f.InstanceId == "after-restart" && f.Outcome == "started"),
            Wait, "a firing by the restarted scheduler");

        var read = await http.GetFromJsonAsync<JsonElement>($"/benchmarks/schedules/{schedule}");
        Assert.Equal(agentId, read.GetProperty("agent_id").GetGuid());
        Assert.Equal(EverySecond, read.GetProperty("cron_expression").GetString());
        Assert.Equal("started", read.GetProperty("last_outcome").GetString());
        var runId = read.GetProperty("last_run_id").GetGuid();
        var run = await http.GetRunAsync(runId);
        Assert.Equal(agentId, run.GetProperty("agent_id").GetGuid());
        Assert.Equal(suiteId, run.GetProperty("suite_id").GetGuid());
        Assert.Equal(JsonValueKind.String, read.GetProperty("next_fire_time").ValueKind);
        Assert.Equal(JsonValueKind.String, read.GetProperty("last_fire_time").ValueKind);

        // Deleting stops it: the trigger and the row go, and the id answers 404.
        using var deleted = await http.DeleteAsync($"/benchmarks/schedules/{schedule}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await http.GetAsync($"/benchmarks/schedules/{schedule}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var scheduler = await second.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        Assert.False(await scheduler.Exists(ScheduleTriggers.JobKeyOf(schedule)));
    }

    [Fact]
    public async Task A_firing_whose_agent_was_deleted_is_recorded_and_the_schedule_keeps_its_trigger()
    {
        var database = infrastructure.CreateDatabase("sched_deleted");
        var rabbitMq = await infrastructure.CreateVirtualHostAsync("sched_deleted");
        var catalog = new FakeSuiteCatalog();
        var (agentId, suiteId) = AddAgentAndSuite(catalog);
        await using var host = RunnerHost.StartReplica(database, rabbitMq, catalog, "deleted-agent");
        var http = host.CreateClient().WithCaller();

        // Monthly: it fires now only because the test triggers it.
        var schedule = await CreateAsync(http, agentId, suiteId, "0 3 1 * *");
        catalog.RemoveAgent(agentId);
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(ScheduleTriggers.JobKeyOf(schedule));

        var firing = await Eventually.GetAsync(async () => (await FiringsAsync(database, schedule)).FirstOrDefault(), Wait, "the firing");
        Assert.Equal("agent_not_found", firing.Outcome);
        Assert.Null(firing.RunId);
        Assert.Equal(0, await CountAsync(database, "runs"));

        var read = await http.GetFromJsonAsync<JsonElement>($"/benchmarks/schedules/{schedule}");
        Assert.Equal("agent_not_found", read.GetProperty("last_outcome").GetString());
        Assert.Contains(agentId.ToString(), read.GetProperty("last_outcome_detail").GetString());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("last_run_id").ValueKind);
        Assert.Equal("0 0 3 1 * ?", read.GetProperty("cron_expression").GetString());
        var next = read.GetProperty("next_fire_time").GetDateTimeOffset();
        Assert.Equal((1, 3, 0), (next.Day, next.Hour, next.Minute));
    }

    [Fact]
    public async Task A_schedule_whose_trigger_cannot_be_stored_is_not_created_and_leaves_no_row()
    {
        var (database, agentId, suiteId, host) = await ReplicaAsync("sched_fail");
        await using var _ = host;
        var http = host.CreateClient().WithCaller();

        // Quartz's job table gone for the request: the row is written, the trigger fails, and the row is taken back.
        await ExecuteAsync(database, "ALTER TABLE quartz.qrtz_job_details RENAME TO qrtz_job_details_away");
        try
        {
            using var response = await http.PostAsJsonAsync("/benchmarks/schedules", new { agent_id = agentId, suite_id = suiteId, cron_expression = "0 3 1 * *" });
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }
        finally
        {
            await ExecuteAsync(database, "ALTER TABLE quartz.qrtz_job_details_away RENAME TO qrtz_job_details");
        }

        Assert.Equal(0, await CountAsync(database, "schedules"));
        var listed = await http.GetFromJsonAsync<JsonElement>("/benchmarks/schedules");
        Assert.Empty(listed.GetProperty("schedules").EnumerateArray());
    }

    [Fact]
    public async Task An_interrupted_create_or_delete_is_completed_by_the_reconciliation()
    {
        var (database, agentId, suiteId, host) = await ReplicaAsync("sched_reconcile");
        await using var _ = host;
        var http = host.CreateClient().WithCaller();
        var triggers = host.Services.GetRequiredService<ScheduleTriggers>();
        var reconciler = host.Services.GetRequiredService<ScheduleReconciler>();

        // A create that died after its row: the row is there, its trigger is not (the schedule would never fire).
        var created = await CreateAsync(http, agentId, suiteId, "0 3 1 * *");
        Assert.True(await triggers.RemoveAsync(created, CancellationToken.None));
        var halfCreated = await http.GetFromJsonAsync<JsonElement>($"/benchmarks/schedules/{created}");
        Assert.Equal(JsonValueKind.Null, halfCreated.GetProperty("next_fire_time").ValueKind);

        // A delete that died after the row: the trigger is there, its row is not (it would keep firing).
        var deleted = await CreateAsync(http, agentId, suiteId, "0 4 1 * *");
        await ExecuteAsync(database, $"DELETE FROM runner.schedules WHERE schedule_id = '{deleted}'");

        // The host's own pass (at its start) may have run meanwhile and repaired part of it: the end state is what counts.
        await reconciler.ReconcileAsync(CancellationToken.None);

        var completed = await http.GetFromJsonAsync<JsonElement>($"/benchmarks/schedules/{created}");
        Assert.Equal(JsonValueKind.String, completed.GetProperty("next_fire_time").ValueKind);
        Assert.Equal([created], await triggers.ScheduleIdsAsync(CancellationToken.None));
        // A second pass finds nothing to do.
        Assert.Equal(new ScheduleReconciler.Repairs(0, 0), await reconciler.ReconcileAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_trigger_whose_schedule_is_gone_removes_itself_when_it_fires()
    {
        var (database, agentId, suiteId, host) = await ReplicaAsync("sched_orphan");
        await using var _ = host;
        var schedule = await CreateAsync(host.CreateClient().WithCaller(), agentId, suiteId, "0 3 1 * *");
        await ExecuteAsync(database, $"DELETE FROM runner.schedules WHERE schedule_id = '{schedule}'");

        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(ScheduleTriggers.JobKeyOf(schedule));

        await Eventually.TrueAsync(async () => !await scheduler.Exists(ScheduleTriggers.JobKeyOf(schedule)), Wait, "the orphaned job to remove itself");
        Assert.Equal(0, await CountAsync(database, "schedule_firings"));
        Assert.Equal(0, await CountAsync(database, "runs"));
    }

    [Fact]
    public async Task Coverage_counts_an_agent_benchmarked_by_its_schedule_and_lists_the_stale_one()
    {
        var database = infrastructure.CreateDatabase("sched_coverage");
        var rabbitMq = await infrastructure.CreateVirtualHostAsync("sched_coverage");
        var catalog = new FakeSuiteCatalog();
        var (benchmarkedId, suiteId) = AddAgentAndSuite(catalog);
        var stale = catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast").Snapshot;
        await using var host = RunnerHost.StartReplica(database, rabbitMq, catalog, "coverage");
        await using var bus = await BusObserver.StartAsync(rabbitMq);
        bus.OnExecuted = executed => bus.PublishAsync(BusObserver.ScoresFor(executed, 0.9)); // the test plays Scoring
        var http = host.CreateClient().WithCaller();

        var before = await http.GetFromJsonAsync<JsonElement>("/benchmarks/coverage");
        Assert.Equal(2, before.GetProperty("active_agents").GetInt32());
        Assert.Equal(0, before.GetProperty("benchmarked_agents").GetInt32());
        Assert.Equal(0.0, before.GetProperty("coverage").GetDouble());

        var schedule = await CreateAsync(http, benchmarkedId, suiteId, "0 3 1 * *");
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(ScheduleTriggers.JobKeyOf(schedule));
        var firing = await Eventually.GetAsync(async () => (await FiringsAsync(database, schedule)).FirstOrDefault(), Wait, "the firing");
        await http.RunWhenAsync(firing.RunId!.Value, r => r.GetProperty("status").GetString() == "completed", Wait, "the scheduled run scored");

        var coverage = await http.GetFromJsonAsync<JsonElement>("/benchmarks/coverage");
        Assert.Equal(30, coverage.GetProperty("window_days").GetInt32());
        Assert.Equal(2, coverage.GetProperty("active_agents").GetInt32());
        Assert.Equal(1, coverage.GetProperty("benchmarked_agents").GetInt32());
        Assert.Equal(0.5, coverage.GetProperty("coverage").GetDouble());
        var staleAgent = Assert.Single(coverage.GetProperty("stale_agents").EnumerateArray());
        Assert.Equal(stale.AgentId, staleAgent.GetProperty("agent_id").GetGuid());
        Assert.Equal(stale.AgentName, staleAgent.GetProperty("name").GetString());
        Assert.Equal("1.0", staleAgent.GetProperty("latest_version").GetString());
        Assert.Equal(JsonValueKind.Null, staleAgent.GetProperty("last_benchmarked_at").ValueKind);
        Assert.False(staleAgent.GetProperty("has_schedule").GetBoolean());
    }

    [Fact]
    public async Task Bad_schedules_are_400_with_field_errors_and_unknown_ones_404()
    {
        var database = infrastructure.CreateDatabase("sched_validation");
        var rabbitMq = await infrastructure.CreateVirtualHostAsync("sched_validation");
        var catalog = new FakeSuiteCatalog();
        var (agentId, suiteId) = AddAgentAndSuite(catalog);
        await using var host = RunnerHost.StartReplica(database, rabbitMq, catalog, "validation");
        var http = host.CreateClient().WithCaller();

        async Task<string[]> FieldErrorsAsync(object body)
        {
            using var response = await http.PostAsJsonAsync("/benchmarks/schedules", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            return [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order()];
        }

        Assert.Equal(["agent_id", "cron_expression", "suite_id"], await FieldErrorsAsync(new { agent_id = "nope", suite_id = "" }));
        Assert.Equal(["cron_expression", "time_zone"], await FieldErrorsAsync(new
        {
            agent_id = agentId, suite_id = suiteId, cron_expression = "0 0 25 * * ?", time_zone = "Mars/Olympus_Mons",
        }));
        Assert.Equal(["cron_expression"], await FieldErrorsAsync(new { agent_id = agentId, suite_id = suiteId, cron_expression = "0 0 3 1 1 ? 2001" }));
        Assert.Equal(["configuration.iterations"], await FieldErrorsAsync(new
        {
            agent_id = agentId, suite_id = suiteId, cron_expression = "@monthly", configuration = new { iterations = 0 },
        }));
        using (var badFilter = await http.GetAsync("/benchmarks/schedules?agent_id=x"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        }

        using (var unknownAgent = await http.PostAsJsonAsync("/benchmarks/schedules", new { agent_id = Guid.NewGuid(), suite_id = suiteId, cron_expression = "@monthly" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownAgent.StatusCode);
        }

        using (var unknown = await http.DeleteAsync($"/benchmarks/schedules/{Guid.NewGuid()}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        Assert.Equal(0, await CountAsync(database, "schedules"));

        // A good one, in a time zone, with a configuration; listed under its agent and suite.
        using var created = await http.PostAsJsonAsync("/benchmarks/schedules", new
        {
            agent_id = agentId, suite_id = suiteId, cron_expression = "30 4 1,15 * *", time_zone = "Europe/Berlin",
            configuration = new { iterations = 2 },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var schedule = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/benchmarks/schedules/{schedule.GetProperty("schedule_id").GetGuid()}", created.Headers.Location?.OriginalString);
        Assert.Equal("0 30 4 1,15 * ?", schedule.GetProperty("cron_expression").GetString());
        Assert.Equal("Europe/Berlin", schedule.GetProperty("time_zone").GetString());
        Assert.Equal(2, schedule.GetProperty("configuration").GetProperty("iterations").GetInt32());
        Assert.Equal(JsonValueKind.Null, schedule.GetProperty("last_fire_time").ValueKind);
        var next = schedule.GetProperty("next_fire_time").GetDateTimeOffset();
        var berlin = TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.Equal((4, 30), (berlin.Hour, berlin.Minute));

        var listed = await http.GetFromJsonAsync<JsonElement>($"/benchmarks/schedules?agent_id={agentId}&suite_id={suiteId}");
        Assert.Single(listed.GetProperty("schedules").EnumerateArray());
        var other = await http.GetFromJsonAsync<JsonElement>($"/benchmarks/schedules?suite_id={Guid.NewGuid()}");
        Assert.Empty(other.GetProperty("schedules").EnumerateArray());
    }

    private (Guid AgentId, Guid SuiteId) AddAgentAndSuite(FakeSuiteCatalog catalog)
    {
        var agent = catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=5");
        var suite = catalog.AddSuite(FakeSuiteCatalog.Benchmark("arithmetic", ("q1", "What is 12 + 7?", "19")));
        return (agent.Snapshot.AgentId, suite.SuiteId);
    }

    private static async Task<Guid> CreateAsync(HttpClient http, Guid agentId, Guid suiteId, string cron)
    {
        using var response = await http.PostAsJsonAsync("/benchmarks/schedules", new { agent_id = agentId, suite_id = suiteId, cron_expression = cron });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("schedule_id").GetGuid();
    }

    private static async Task<long> CountAsync(string database, string table)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM runner.{table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A replica on its own database and virtual host, with an agent and a suite to schedule.</summary>
    private async Task<(string Database, Guid AgentId, Guid SuiteId, RunnerHost Host)> ReplicaAsync(string name)
    {
        var database = infrastructure.CreateDatabase(name);
        var rabbitMq = await infrastructure.CreateVirtualHostAsync(name);
        var catalog = new FakeSuiteCatalog();
        var (agentId, suiteId) = AddAgentAndSuite(catalog);
        return (database, agentId, suiteId, RunnerHost.StartReplica(database, rabbitMq, catalog, name));
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record Firing(DateTimeOffset ScheduledFor, string Outcome, Guid? RunId, string InstanceId);

    private static async Task<List<Firing>> FiringsAsync(string database, Guid scheduleId)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT scheduled_for, outcome, run_id, instance_id FROM runner.schedule_firings WHERE schedule_id = @id ORDER BY scheduled_for", connection);
        command.Parameters.AddWithValue("id", scheduleId);
        await using var reader = await command.ExecuteReaderAsync();
        var firings = new List<Firing>();
        while (await reader.ReadAsync())
        {
            firings.Add(new Firing(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetString(3)));
        }

        return firings;
    }

    /// <summary>Every execution of a schedule's job that any listened-to scheduler started, with the fire time it was for.</summary>
    private sealed class FiringLog : IJobListener
    {
        private readonly ConcurrentQueue<(string Job, DateTimeOffset ScheduledFor, string InstanceId)> _executions = new();

        public string Name { get; } = $"firing-log-{Guid.NewGuid():N}";

        public async Task ListenToAsync(RunnerHost host)
        {
            var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            scheduler.ListenerManager.AddJobListener(this);
        }

        public List<(DateTimeOffset ScheduledFor, string InstanceId)> For(Guid scheduleId) =>
            [.. _executions.Where(e => e.Job == scheduleId.ToString()).Select(e => (e.ScheduledFor, e.InstanceId))];

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            _executions.Enqueue((context.JobDetail.Key.Name, context.ScheduledFireTimeUtc ?? context.FireTimeUtc, context.Scheduler.SchedulerInstanceId));
            return ValueTask.CompletedTask;
        }

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default) =>
            ValueTask.CompletedTask;

        public ValueTask JobProgressChanged(IJobExecutionContext context, FireInstanceProgress progress, CancellationToken cancellationToken = default) =>
            ValueTask.CompletedTask;
    }
}
