using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Runs;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Tests;

/// <summary>The real servers and a test agent, shared by tests that each start (and stop) their own Stress hosts.</summary>
public sealed class RecoveryFixture : IAsyncLifetime
{
    public Infrastructure Infrastructure { get; } = new();
    public TestAgentServer Agent { get; } = new();
    public FakeAgentCatalog Catalog { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(Infrastructure.InitializeAsync(), Agent.InitializeAsync());

    public async Task DisposeAsync()
    {
        await Agent.DisposeAsync();
        await Infrastructure.DisposeAsync();
    }
}

/// <summary>
/// Runs whose job was lost with the instance that held it (jobs live in memory) end as failed, with their
/// StressTestCompleted, while runs of live instances, on any replica, are left to finish.
/// </summary>
public sealed class StressRunRecoveryTests(RecoveryFixture fixture) : IClassFixture<RecoveryFixture>
{
    private const string Exchange = "BenchMesh.Contracts.Stress:StressTestCompleted";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Fast heartbeats, so that a run abandoned by a live database's other replica is noticed in seconds.</summary>
    private static readonly Dictionary<string, string> FastHeartbeats = new()
    {
        ["Stress:Runs:HeartbeatInterval"] = "00:00:00.250",
        ["Stress:Runs:StaleAfter"] = "00:00:02",
        ["Stress:Runs:SweepInterval"] = "00:00:00.250",
    };

    private static StressDbContext Connect(string database) =>
        new(new DbContextOptionsBuilder<StressDbContext>().UseNpgsql(database).Options);

    /// <summary>A run as the API writes it, owned by another instance whose last heartbeat was at <paramref name="heartbeatAt"/>.</summary>
    private static StressRun RunOf(string owner, DateTimeOffset heartbeatAt) => new()
    {
        StressRunId = Guid.CreateVersion7(),
        WorkspaceId = Callers.DefaultWorkspace,
        AgentId = Guid.NewGuid(),
        AgentName = "stress-target",
        AgentVersion = "1.0",
        Scenario = "spike",
        Status = StressRunStatuses.Running,
        ParametersJson = """{"requests":10,"concurrency":1,"duration_seconds":10,"request_timeout_seconds":10,"input_chars":null}""",
        CreatedAt = heartbeatAt.AddSeconds(-10),
        StartedAt = heartbeatAt.AddSeconds(-9),
        RequestsCompleted = 3,
        Owner = owner,
        HeartbeatAt = heartbeatAt,
    };

    /// <summary>A database already migrated and holding <paramref name="runs"/>, as a previous instance left it.</summary>
    private static async Task SeedAsync(string database, params StressRun[] runs)
    {
        await using var db = Connect(database);
        await db.Database.MigrateAsync();
        db.StressRuns.AddRange(runs);
        await db.SaveChangesAsync();
    }

    private static async Task<StressRun> ReadAsync(string database, Guid id)
    {
        await using var db = Connect(database);
        return await db.StressRuns.AsNoTracking().SingleAsync(r => r.StressRunId == id);
    }

    private static async Task<JsonElement> GetRunAsync(HttpClient http, Guid id)
    {
        using var response = await http.GetAsync($"/stress/runs/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The StressTestCompleted of each run in <paramref name="ids"/>, in whatever order they arrive.</summary>
    private static async Task<Dictionary<Guid, JsonElement>> EventsForAsync(ExchangeProbe probe, params Guid[] ids)
    {
        var events = new Dictionary<Guid, JsonElement>();
        while (!ids.All(events.ContainsKey))
        {
            var message = (await probe.NextAsync(Timeout, $"StressTestCompleted for {string.Join(", ", ids)}")).Message;
            events[message.GetProperty("stressRunId").GetGuid()] = message;
        }

        return events;
    }

    private static async Task<JsonElement> FinishedAsync(HttpClient http, Guid id)
    {
        var run = await Eventually.GetAsync<JsonElement?>(async () =>
        {
            var r = await GetRunAsync(http, id);
            return r.GetProperty("status").GetString() == StressRunStatuses.Running ? null : r;
        }, Timeout, $"stress run {id} to end");
        return run!.Value;
    }

    [Fact]
    public async Task At_start_a_run_left_running_by_an_instance_that_is_gone_is_failed_and_published()
    {
        var database = fixture.Infrastructure.CreateDatabase("stress_restart");
        var rabbit = await fixture.Infrastructure.CreateVirtualHostAsync("stress_restart");
        var now = DateTimeOffset.UtcNow;
        var abandoned = RunOf("old-pod/1/2026-01-01T00:00:00.0000000Z", now.AddMinutes(-2));
        var alive = RunOf("other-pod/1/2026-01-01T00:00:00.0000000Z", now);
        await SeedAsync(database, abandoned, alive);
        await using var probe = await ExchangeProbe.BindAsync(rabbit, Exchange);

        await using var app = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog);
        using var http = app.CreateClient().WithCaller();

        var failed = await FinishedAsync(http, abandoned.StressRunId);
        Assert.Equal(StressRunStatuses.Failed, failed.GetProperty("status").GetString());
        Assert.StartsWith("interrupted: the stress service restarted", failed.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.String, failed.GetProperty("completed_at").ValueKind);
        Assert.Equal(3, failed.GetProperty("progress").GetProperty("requests_completed").GetInt64());

        var completed = (await EventsForAsync(probe, abandoned.StressRunId))[abandoned.StressRunId];
        Assert.Equal("failed", completed.GetProperty("status").GetString());
        Assert.Equal("spike", completed.GetProperty("scenario").GetString());
        Assert.Equal(abandoned.AgentId, completed.GetProperty("agentId").GetGuid());
        Assert.Equal(0, completed.GetProperty("requests").GetInt64());

        // The same sweep saw the run of the other, still heartbeating, replica and left it alone.
        Assert.Equal(StressRunStatuses.Running, (await ReadAsync(database, alive.StressRunId)).Status);
    }

    [Fact]
    public async Task A_run_whose_owner_stops_heartbeating_is_failed_while_a_live_replicas_run_longer_than_the_limit_completes()
    {
        var database = fixture.Infrastructure.CreateDatabase("stress_heartbeat");
        var rabbit = await fixture.Infrastructure.CreateVirtualHostAsync("stress_heartbeat");
        // Owned by another replica that was alive a moment ago and then died: nobody refreshes its heartbeat.
        var orphan = RunOf("dead-pod/7/2026-01-01T00:00:00.0000000Z", DateTimeOffset.UtcNow);
        await SeedAsync(database, orphan);
        await using var probe = await ExchangeProbe.BindAsync(rabbit, Exchange);
        // Two replicas on one database: the run goes to the first, the second sweeps for abandoned runs too (an
        // instance never sweeps its own runs, so only another replica can prove the heartbeat keeps a run alive).
        await using var app = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog, FastHeartbeats);
        await using var replica = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog, FastHeartbeats);
        _ = replica.Server;
        using var http = app.CreateClient().WithCaller();
        var agent = fixture.Catalog.Register("http-json", $"{fixture.Agent.Address}/json?delay_ms=200&case={Guid.NewGuid():N}");

        // ~4 s of load: twice the 2 s after which a run without heartbeats counts as abandoned.
        using var response = await http.PostAsJsonAsync("/stress/runs", new
        {
            agent_id = agent.AgentId,
            scenario = "high_load",
            parameters = new { rate = 5, duration_s = 4, connections = 2 },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var live = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stress_run_id").GetGuid();

        var failed = await FinishedAsync(http, orphan.StressRunId);
        Assert.Equal(StressRunStatuses.Failed, failed.GetProperty("status").GetString());
        Assert.StartsWith("interrupted: the stress service restarted", failed.GetProperty("error").GetString());

        var done = await FinishedAsync(http, live);
        Assert.Equal(StressRunStatuses.Completed, done.GetProperty("status").GetString());
        var load = done.GetProperty("result").GetProperty("phases")[0].GetProperty("result");
        Assert.Equal(20, load.GetProperty("requests").GetInt64());
        Assert.True(load.GetProperty("duration_seconds").GetDouble() > 2, "the run outlived the heartbeat limit");
        var events = await EventsForAsync(probe, orphan.StressRunId, live);
        Assert.Equal("failed", events[orphan.StressRunId].GetProperty("status").GetString());
        Assert.Equal("completed", events[live].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Runs_interrupted_by_a_stop_are_failed_at_once_and_published()
    {
        var database = fixture.Infrastructure.CreateDatabase("stress_stop");
        var rabbit = await fixture.Infrastructure.CreateVirtualHostAsync("stress_stop");
        await using var probe = await ExchangeProbe.BindAsync(rabbit, Exchange);
        var agent = fixture.Catalog.Register("http-json", $"{fixture.Agent.Address}/json?delay_ms=100&case={Guid.NewGuid():N}");
        var parameters = new { rate = 10, duration_s = 120, connections = 1 };

        var first = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog);
        Guid running, queued;
        using (var http = first.CreateClient().WithCaller())
        {
            async Task<Guid> StartAsync()
            {
                using var response = await http.PostAsJsonAsync("/stress/runs", new { agent_id = agent.AgentId, scenario = "sustained_load", parameters });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stress_run_id").GetGuid();
            }

            running = await StartAsync();
            queued = await StartAsync();
            await Eventually.TrueAsync(async () => (await ReadAsync(database, running)).StartedAt is not null, Timeout, "the first run to be under way");
        }

        await first.DisposeAsync();

        // Ended by the stop itself, not by a sweep a minute later.
        foreach (var id in new[] { running, queued })
        {
            var run = await ReadAsync(database, id);
            Assert.Equal(StressRunStatuses.Failed, run.Status);
            Assert.StartsWith("interrupted: the stress service restarted", run.Error);
        }

        // The next instance publishes whatever the stopped one's outbox still held.
        await using var second = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog);
        _ = second.Server;
        var events = await EventsForAsync(probe, running, queued);
        Assert.Equal("failed", events[running].GetProperty("status").GetString());
        Assert.Equal("failed", events[queued].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_runs_end_is_written_and_published_once_when_its_owner_and_a_sweep_race()
    {
        var database = fixture.Infrastructure.CreateDatabase("stress_race");
        var run = RunOf("slow-pod/3/2026-01-01T00:00:00.0000000Z", DateTimeOffset.UtcNow.AddMinutes(-5));
        await SeedAsync(database, run);
        await using var owner = Connect(database);
        await using var sweeper = Connect(database);
        var owned = await owner.StressRuns.SingleAsync(r => r.StressRunId == run.StressRunId);

        var swept = await StressRunOutcomes.FailInterruptedAsync(sweeper, sweeper.StressRuns, _ => "interrupted: test", DateTimeOffset.UtcNow, default);
        StressRunOutcomes.End(owner, owned, result: null, "late", DateTimeOffset.UtcNow);

        Assert.Equal(1, swept);
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => owner.SaveChangesAsync());
        Assert.Equal(0, await StressRunOutcomes.FailInterruptedAsync(sweeper, sweeper.StressRuns, _ => "again", DateTimeOffset.UtcNow, default));
        await using var db = Connect(database);
        Assert.Equal(1, await db.OutboxMessages.CountAsync());
        Assert.Equal("interrupted: test", (await db.StressRuns.SingleAsync()).Error);
    }
}
