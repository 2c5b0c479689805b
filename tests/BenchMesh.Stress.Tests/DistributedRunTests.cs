using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Stress;
using BenchMesh.LoadEngine.Metrics;
using BenchMesh.ServiceDefaults;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Distributed;
using BenchMesh.Stress.Runs;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Stress.Tests;

/// <summary>
/// Distributed runs (<c>workers</c> &gt; 1): Stress instances on one database and one vhost, as replicas run them. The
/// shares go to different instances, their histograms are merged, the run ends once, and a share that does not report
/// by the deadline (or is taken too late to start with the others) fails the run, naming it.
/// </summary>
public sealed class DistributedRunTests(RecoveryFixture fixture) : IClassFixture<RecoveryFixture>
{
    private const string Exchange = "BenchMesh.Contracts.Stress:StressTestCompleted";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A near start, a quick deadline sweep (every heartbeat tick) and the given distributed-run settings.</summary>
    private static Dictionary<string, string> Settings(params (string Key, string Value)[] distributed)
    {
        var settings = new Dictionary<string, string>
        {
            ["Stress:Runs:HeartbeatInterval"] = "00:00:00.250",
            ["Stress:Runs:StaleAfter"] = "00:00:02",
            ["Stress:Runs:SweepInterval"] = "00:00:00.250",
            ["Stress:Distributed:StartDelay"] = "00:00:03",
        };
        foreach (var (key, value) in distributed)
        {
            settings[$"Stress:Distributed:{key}"] = value;
        }

        return settings;
    }

    private static StressDbContext Connect(string database) =>
        new(new DbContextOptionsBuilder<StressDbContext>().UseNpgsql(database).Options);

    private static string InstanceOf(WebApplicationFactory<StressDbContext> app) => app.Services.GetRequiredService<StressInstance>().Id;

    private static async Task<Guid> StartAsync(HttpClient http, object request)
    {
        using var response = await http.PostAsJsonAsync("/stress/runs", request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stress_run_id").GetGuid();
    }

    private static async Task<JsonElement> FinishedAsync(HttpClient http, Guid id)
    {
        var run = await Eventually.GetAsync<JsonElement?>(async () =>
        {
            using var response = await http.GetAsync($"/stress/runs/{id}");
            var r = await response.Content.ReadFromJsonAsync<JsonElement>();
            return r.GetProperty("status").GetString() == StressRunStatuses.Running ? null : r;
        }, Timeout, $"stress run {id} to end");
        return run!.Value;
    }

    /// <summary>Deliveries of <typeparamref name="T"/> the instances have finished, together (they compete for one queue).</summary>
    private static int Consumed<T>(params WebApplicationFactory<StressDbContext>[] apps) where T : class =>
        apps.Sum(app => app.Services.GetRequiredService<ConsumedMessages>().Of<T>());

    /// <summary>
    /// Every StressTestCompleted of <paramref name="id"/>, read once nothing is left that could publish another: the
    /// instances have finished <paramref name="shareReports"/> share reports (the only messages that end a run) and the
    /// outbox has sent every row. The first event is awaited; what arrived by then is all there is.
    /// </summary>
    private static async Task<List<JsonElement>> EventsOfAsync(
        ExchangeProbe probe, Guid id, string database, int shareReports, params WebApplicationFactory<StressDbContext>[] apps)
    {
        var events = new List<JsonElement>();
        while (events.Count == 0)
        {
            var message = (await probe.NextAsync(Timeout, $"StressTestCompleted for {id}")).Message;
            if (message.GetProperty("stressRunId").GetGuid() == id)
            {
                events.Add(message);
            }
        }

        await QuiescentAsync(database, shareReports, apps);
        while (await probe.TryGetAsync() is { } more)
        {
            if (more.Message.GetProperty("stressRunId").GetGuid() == id)
            {
                events.Add(more.Message);
            }
        }

        return events;
    }

    /// <summary>Until the instances have finished <paramref name="shareReports"/> share reports and the outbox is sent.</summary>
    private static async Task QuiescentAsync(string database, int shareReports, params WebApplicationFactory<StressDbContext>[] apps)
    {
        await Eventually.TrueAsync(
            () => Task.FromResult(Consumed<StressShareCompleted>(apps) >= shareReports), Timeout, $"{shareReports} share reports to be consumed");
        await Eventually.TrueAsync(async () =>
        {
            await using var db = Connect(database);
            return !await db.OutboxMessages.AnyAsync(m => m.SentAt == null);
        }, Timeout, "the outbox to be sent");
    }

    [Fact]
    public async Task A_run_split_across_two_instances_runs_a_share_on_each_and_merges_their_histograms()
    {
        var database = fixture.Infrastructure.CreateDatabase("stress_split");
        var rabbit = await fixture.Infrastructure.CreateVirtualHostAsync("stress_split");
        await using var probe = await ExchangeProbe.BindAsync(rabbit, Exchange);
        await using var first = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog, Settings());
        await using var second = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog, Settings());
        _ = second.Server;
        using var http = first.CreateClient().WithCaller();
        // Each instance takes one share at a time: both must be consuming before the run starts, or the first takes both
        // shares, the second one late (a started host is not yet a consuming one on a busy machine).
        var shareQueue = new KebabCaseEndpointNameFormatter(ResourceNames.Stress, false).Consumer<RunStressShareConsumer>();
        await Eventually.TrueAsync(async () => await QueueDepth.ConsumersOfAsync(rabbit, shareQueue) >= 2, Timeout, "both instances to consume shares");
        // Every 7th request 40 ms slower: the merged tail must show it.
        var agent = fixture.Catalog.Register("http-json", $"{fixture.Agent.Address}/json?slow_every=7&slow_ms=40&case={Guid.NewGuid():N}");

        var id = await StartAsync(http, new
        {
            agent_id = agent.AgentId,
            scenario = "high_load",
            parameters = new { rate = 40, duration_s = 3, connections = 8 },
            workers = 2,
        });
        var done = await FinishedAsync(http, id);

        Assert.True(done.GetProperty("status").GetString() == StressRunStatuses.Completed, $"the run ended {done}");
        Assert.Equal(2, done.GetProperty("workers").GetInt32());
        var progress = done.GetProperty("progress");
        Assert.Equal(2, progress.GetProperty("shares_done").GetInt32());
        Assert.Equal(2, progress.GetProperty("shares_total").GetInt32());
        Assert.Equal(120, progress.GetProperty("requests_completed").GetInt64());
        // The run is stored and read back with its own (undivided) parameters.
        Assert.Equal(40, done.GetProperty("parameters").GetProperty("rate").GetDouble());

        // Each instance ran one share, with half the rate and half the connections.
        await using var db = Connect(database);
        var shares = await db.StressRunShares.AsNoTracking().Where(s => s.StressRunId == id).OrderBy(s => s.ShareIndex).ToListAsync();
        Assert.Equal([1, 2], shares.Select(s => s.ShareIndex));
        Assert.All(shares, s => Assert.Equal(StressShareStatuses.Completed, s.Status));
        Assert.Equal(new[] { InstanceOf(first), InstanceOf(second) }.Order(), shares.Select(s => s.Worker!).Order());
        foreach (var share in shares)
        {
            var parameters = JsonSerializer.Deserialize<Dictionary<string, double>>(share.ParametersJson)!;
            Assert.Equal(20, parameters["rate"]);
            Assert.Equal(4, parameters["connections"]);
            Assert.Equal(60, share.Requests);
        }

        // Counts add up; percentiles are those of the merged histograms, not an average of the shares' percentiles.
        var load = done.GetProperty("result").GetProperty("phases")[0].GetProperty("result");
        Assert.Equal(shares.Sum(s => s.Requests), load.GetProperty("requests").GetInt64());
        Assert.Equal(40, load.GetProperty("target_rps").GetDouble(), 6);
        var merged = new LoadHistograms();
        foreach (var share in shares)
        {
            var phases = JsonSerializer.Deserialize<List<StressSharePhase>>(share.PartialJson!, ServiceDefaultsExtensions.PublicJson)!;
            merged.Add(LoadHistogramsEncoding.Decode(Assert.Single(phases).Histograms));
        }

        Assert.Equal(120, merged.Latency.TotalCount);
        var expected = LatencySummary.Of(merged.Latency);
        var latency = load.GetProperty("latency_ms");
        Assert.Equal(expected.P50, latency.GetProperty("p50").GetDouble());
        Assert.Equal(expected.P99, latency.GetProperty("p99").GetDouble());
        Assert.Equal(expected.Max, latency.GetProperty("max").GetDouble());
        Assert.True(expected.P99 >= 40, "every 7th request is 40 ms slower");
        // The per-second series adds the shares' seconds: 40 a second planned.
        var timeline = load.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(40, timeline[0].GetProperty("target").GetInt64());

        // One end, one event.
        var events = await EventsOfAsync(probe, id, database, shareReports: 2, first, second);
        var completed = Assert.Single(events);
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(120, completed.GetProperty("requests").GetInt64());
        Assert.Equal(expected.P99, completed.GetProperty("p99LatencyMs").GetDouble());

        // At-least-once delivery: a share and a partial delivered again change nothing.
        var outboxBefore = await db.OutboxMessages.CountAsync();
        var sharesTaken = Consumed<RunStressShare>(first, second);
        var bus = second.Services.GetRequiredService<IBus>();
        var resultBefore = (await db.StressRuns.AsNoTracking().SingleAsync(r => r.StressRunId == id)).ResultJson;
        await bus.Publish(new RunStressShare
        {
            StressRunId = id, ShareIndex = 1, ShareCount = 2, AgentId = agent.AgentId, AgentVersion = agent.Version,
            Scenario = "high_load", Parameters = new Dictionary<string, double> { ["rate"] = 20, ["duration_s"] = 3, ["connections"] = 4 },
            StartAt = DateTimeOffset.UtcNow, RequestedAt = DateTimeOffset.UtcNow,
        });
        await bus.Publish(new StressShareCompleted
        {
            StressRunId = id, ShareIndex = 2, ShareCount = 2, Worker = "someone-else", Status = StressShareStatuses.Completed,
            Requests = 1, CompletedAt = DateTimeOffset.UtcNow,
        });
        await Eventually.TrueAsync(
            () => Task.FromResult(Consumed<RunStressShare>(first, second) > sharesTaken), Timeout, "the share delivered again to be consumed");
        await QuiescentAsync(database, shareReports: 3, first, second);
        Assert.Equal(outboxBefore, await db.OutboxMessages.CountAsync());
        var after = await db.StressRunShares.AsNoTracking().Where(s => s.StressRunId == id).OrderBy(s => s.ShareIndex).ToListAsync();
        Assert.Equal(shares.Select(s => (s.Worker, s.Requests, s.Status)), after.Select(s => (s.Worker, s.Requests, s.Status)));
        Assert.Equal(resultBefore, (await db.StressRuns.AsNoTracking().SingleAsync(r => r.StressRunId == id)).ResultJson);
        Assert.Null(await probe.TryGetAsync());
    }

    [Fact]
    public async Task A_share_that_does_not_report_by_the_deadline_fails_the_run_naming_it()
    {
        var database = fixture.Infrastructure.CreateDatabase("stress_deadline");
        var rabbit = await fixture.Infrastructure.CreateVirtualHostAsync("stress_deadline");
        await using var probe = await ExchangeProbe.BindAsync(rabbit, Exchange);
        // One instance for two shares, and a start tolerance so wide that it runs the second share late, after the first:
        // the second cannot report before the deadline (6 s of load + 2.5 s grace), the first can. Both margins are a few
        // seconds (3 s of load and 2 s of grace left one second, which a busy CI machine once used up).
        await using var app = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog,
            Settings(("StartTolerance", "00:10:00"), ("DeadlineGrace", "00:00:02.500")));
        using var http = app.CreateClient().WithCaller();
        var agent = fixture.Catalog.Register("http-json", $"{fixture.Agent.Address}/json?case={Guid.NewGuid():N}");

        var id = await StartAsync(http, new
        {
            agent_id = agent.AgentId,
            scenario = "high_load",
            parameters = new { rate = 10, duration_s = 6, connections = 2 },
            workers = 2,
        });
        var failed = await FinishedAsync(http, id);

        Assert.Equal(StressRunStatuses.Failed, failed.GetProperty("status").GetString());
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains("passed its deadline", error);
        Assert.Contains("1 of 2 shares missing", error);
        Assert.Contains($"share 2/2 was taken by {InstanceOf(app)}", error);
        Assert.DoesNotContain("share 1/2", error);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("result").ValueKind);

        // The first share's report is in; the run was failed by the deadline sweep, not by a report.
        var events = await EventsOfAsync(probe, id, database, shareReports: 1, app);
        Assert.Equal("failed", Assert.Single(events).GetProperty("status").GetString());

        // The late share's report, when it comes, is kept with the share but changes nothing about the ended run.
        await Eventually.TrueAsync(async () =>
        {
            await using var db = Connect(database);
            return await db.StressRunShares.AnyAsync(s => s.StressRunId == id && s.ShareIndex == 2 && s.Status == StressShareStatuses.Completed);
        }, Timeout, "the late share to report");
        await using (var db = Connect(database))
        {
            var run = await db.StressRuns.AsNoTracking().SingleAsync(r => r.StressRunId == id);
            Assert.Equal(StressRunStatuses.Failed, run.Status);
            Assert.Equal(error, run.Error);
        }

        await QuiescentAsync(database, shareReports: 2, app);
        Assert.Null(await probe.TryGetAsync());
    }

    [Fact]
    public async Task A_share_taken_after_the_common_start_is_reported_failed_rather_than_run_late()
    {
        var database = fixture.Infrastructure.CreateDatabase("stress_late");
        var rabbit = await fixture.Infrastructure.CreateVirtualHostAsync("stress_late");
        // One instance, one share at a time: the second share waits for the first (3 s), well past the 1 s tolerance.
        await using var app = StressServiceFixture.CreateApp(database, rabbit, fixture.Catalog, Settings(("StartTolerance", "00:00:01")));
        using var http = app.CreateClient().WithCaller();
        var agent = fixture.Catalog.Register("http-json", $"{fixture.Agent.Address}/json?case={Guid.NewGuid():N}");

        var id = await StartAsync(http, new
        {
            agent_id = agent.AgentId,
            scenario = "sustained_load",
            parameters = new { rate = 10, duration_s = 3, connections = 2 },
            workers = 2,
        });
        var failed = await FinishedAsync(http, id);

        Assert.Equal(StressRunStatuses.Failed, failed.GetProperty("status").GetString());
        var error = failed.GetProperty("error").GetString()!;
        Assert.StartsWith("share 2/2 failed: share 2/2 was taken", error);
        Assert.Contains("was not run late", error);
        var shares = failed.GetProperty("shares").EnumerateArray().ToList();
        Assert.Equal("completed", shares[0].GetProperty("status").GetString());
        Assert.Equal("failed", shares[1].GetProperty("status").GetString());
        Assert.Equal(0, shares[1].GetProperty("requests").GetInt64());
    }
}
