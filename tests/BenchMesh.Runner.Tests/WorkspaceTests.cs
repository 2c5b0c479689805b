using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Runner.Scheduling;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// One Runner (own database and virtual host), one SampleAgents server, and the test playing Scoring: benchmarks named
/// <see cref="Doomed"/> fail in Scoring for good (so their run can be retried), the others are scored.
/// </summary>
public sealed class WorkspaceFixture : IAsyncLifetime
{
    public const string Doomed = "doomed";

    private readonly Infrastructure _infrastructure = new();

    public RunnerHost Host { get; private set; } = null!;
    public SampleAgentsServer SampleAgents { get; private set; } = null!;
    public BusObserver Bus { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        Host = await RunnerHost.StartAsync(_infrastructure, "workspaces");
        SampleAgents = new SampleAgentsServer();
        Bus = await BusObserver.StartAsync(Host.RabbitMqUri);
        Bus.OnExecuted = executed => executed.Benchmark.Name == Doomed
            ? Bus.PublishFaultAsync(executed, new InvalidOperationException("The rubric cannot be read."))
            : Bus.PublishAsync(BusObserver.ScoresFor(executed, 0.9));
    }

    public async Task DisposeAsync()
    {
        await Bus.DisposeAsync();
        await SampleAgents.DisposeAsync();
        await Host.DisposeAsync();
        await _infrastructure.DisposeAsync();
    }
}

/// <summary>
/// Runs, schedules and coverage belong to a workspace: callers of another workspace get 404 (the body an unknown id
/// gets) for its runs and schedules, its agents and suites, and see none of them in lists; requests without a caller
/// get 401. Each test uses workspaces of its own.
/// </summary>
public sealed class WorkspaceTests(WorkspaceFixture fixture) : IClassFixture<WorkspaceFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("GET", "/benchmarks/runs")]
    [InlineData("GET", "/benchmarks/runs/00000000-0000-0000-0000-000000000001")]
    [InlineData("POST", "/benchmarks/run")]
    [InlineData("POST", "/benchmarks/runs/00000000-0000-0000-0000-000000000001/retry")]
    [InlineData("GET", "/benchmarks/schedules")]
    [InlineData("POST", "/benchmarks/schedules")]
    [InlineData("GET", "/benchmarks/schedules/00000000-0000-0000-0000-000000000001")]
    [InlineData("DELETE", "/benchmarks/schedules/00000000-0000-0000-0000-000000000001")]
    [InlineData("GET", "/benchmarks/coverage")]
    public async Task Requests_without_a_caller_are_401_problem_json(string method, string path)
    {
        using var http = fixture.Host.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { });
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Health_needs_no_caller()
    {
        using var http = fixture.Host.CreateClient();

        using var response = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Another_workspaces_run_is_404_on_every_route_and_absent_from_its_list()
    {
        var (a, b) = (Client(), Client());
        var (agent, _) = AddAgentAndSuite(a);
        var suite = fixture.Host.Catalog.AddSuiteIn(Workspace(a), FakeSuiteCatalog.Benchmark(WorkspaceFixture.Doomed, ("q1", "What is 1 + 1?", "2")));
        var runId = await StartRunAsync(a, agent, suite.SuiteId);
        await a.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "failed", Wait, "the run to fail in Scoring");

        var unknown = Guid.NewGuid();
        await AssertSameNotFoundAsync(await b.GetAsync($"/benchmarks/runs/{runId}"), runId, await b.GetAsync($"/benchmarks/runs/{unknown}"), unknown);
        await AssertSameNotFoundAsync(
            await b.PostAsync($"/benchmarks/runs/{runId}/retry", null), runId, await b.PostAsync($"/benchmarks/runs/{unknown}/retry", null), unknown);
        Assert.DoesNotContain(runId, await ListedRunsAsync(b, ""));
        Assert.DoesNotContain(runId, await ListedRunsAsync(b, $"?agent_id={agent.AgentId}"));

        // B's attempt changed nothing: the run is still A's to see and to retry.
        Assert.Equal([runId], await ListedRunsAsync(a, ""));
        Assert.Equal("failed", (await a.GetRunAsync(runId)).GetProperty("status").GetString());
        using var retried = await a.PostAsync($"/benchmarks/runs/{runId}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);

        // The workspace travels with the run's messages.
        Assert.All(fixture.Bus.Executed.Where(e => e.RunId == runId), e => Assert.Equal(Workspace(a), e.WorkspaceId));
        var completed = await Eventually.GetAsync(
            () => Task.FromResult(fixture.Bus.Completed.FirstOrDefault(c => c.RunId == runId)), Wait, "SuiteRunCompleted");
        Assert.Equal(Workspace(a), completed.WorkspaceId);
    }

    [Fact]
    public async Task Runs_and_schedules_for_another_workspaces_agent_or_suite_are_404_like_unknown_ones()
    {
        var (a, b) = (Client(), Client());
        var (agentOfA, suiteOfA) = AddAgentAndSuite(a);
        var (agentOfB, suiteOfB) = AddAgentAndSuite(b);
        // A suite created before workspaces belongs to the default workspace, not to A.
        var legacySuite = fixture.Host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2"))).SuiteId;
        var (unknownAgent, unknownSuite) = (Guid.NewGuid(), Guid.NewGuid());

        foreach (var path in new[] { "/benchmarks/run", "/benchmarks/schedules" })
        {
            await AssertSameNotFoundAsync(
                await a.PostAsJsonAsync(path, Body(path, agentOfB.AgentId, suiteOfA)), agentOfB.AgentId,
                await a.PostAsJsonAsync(path, Body(path, unknownAgent, suiteOfA)), unknownAgent);
            await AssertSameNotFoundAsync(
                await a.PostAsJsonAsync(path, Body(path, agentOfA.AgentId, suiteOfB)), suiteOfB,
                await a.PostAsJsonAsync(path, Body(path, agentOfA.AgentId, unknownSuite)), unknownSuite);
            await AssertSameNotFoundAsync(
                await a.PostAsJsonAsync(path, Body(path, agentOfA.AgentId, legacySuite)), legacySuite,
                await a.PostAsJsonAsync(path, Body(path, agentOfA.AgentId, unknownSuite)), unknownSuite);
        }

        Assert.Empty(await ListedRunsAsync(a, ""));
        Assert.Empty((await a.GetFromJsonAsync<JsonElement>("/benchmarks/schedules")).GetProperty("schedules").EnumerateArray());

        // The default workspace's caller runs the legacy suite.
        var (defaultAgent, _) = AddAgentAndSuite(fixture.Host.CreateClient().WithCaller());
        using var started = await fixture.Host.CreateClient().WithCaller().PostAsJsonAsync("/benchmarks/run", Body("/benchmarks/run", defaultAgent.AgentId, legacySuite));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
    }

    [Fact]
    public async Task Another_workspaces_schedule_is_404_and_unlisted_and_its_firings_run_as_its_own_workspace()
    {
        var (a, b) = (Client(), Client());
        var (agent, suite) = AddAgentAndSuite(a);
        // Monthly: it fires now only because the test triggers it.
        using var created = await a.PostAsJsonAsync("/benchmarks/schedules", new { agent_id = agent.AgentId, suite_id = suite, cron_expression = "0 3 1 * *" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var scheduleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("schedule_id").GetGuid();

        var unknown = Guid.NewGuid();
        await AssertSameNotFoundAsync(
            await b.GetAsync($"/benchmarks/schedules/{scheduleId}"), scheduleId, await b.GetAsync($"/benchmarks/schedules/{unknown}"), unknown);
        await AssertSameNotFoundAsync(
            await b.DeleteAsync($"/benchmarks/schedules/{scheduleId}"), scheduleId, await b.DeleteAsync($"/benchmarks/schedules/{unknown}"), unknown);
        Assert.Empty((await b.GetFromJsonAsync<JsonElement>("/benchmarks/schedules")).GetProperty("schedules").EnumerateArray());
        Assert.Empty((await b.GetFromJsonAsync<JsonElement>($"/benchmarks/schedules?agent_id={agent.AgentId}")).GetProperty("schedules").EnumerateArray());
        var listed = await a.GetFromJsonAsync<JsonElement>("/benchmarks/schedules");
        Assert.Equal([scheduleId], listed.GetProperty("schedules").EnumerateArray().Select(s => s.GetProperty("schedule_id").GetGuid()));

        var scheduler = await fixture.Host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(ScheduleTriggers.JobKeyOf(scheduleId));
        var fired = (await Eventually.GetAsync(async () =>
        {
            var schedule = await a.GetFromJsonAsync<JsonElement>($"/benchmarks/schedules/{scheduleId}");
            return schedule.GetProperty("last_run_id").ValueKind == JsonValueKind.String ? schedule : (JsonElement?)null;
        }, Wait, "the firing's run")) ?? default;
        Assert.Equal("started", fired.GetProperty("last_outcome").GetString());
        var runId = fired.GetProperty("last_run_id").GetGuid();

        await a.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "completed", Wait, "the scheduled run scored");
        Assert.Equal([runId], await ListedRunsAsync(a, ""));
        using var hidden = await b.GetAsync($"/benchmarks/runs/{runId}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task Coverage_counts_the_callers_own_agents_and_runs_only()
    {
        var (a, b) = (Client(), Client());
        var (benchmarked, suite) = AddAgentAndSuite(a);
        var (stale, _) = AddAgentAndSuite(b);
        var runId = await StartRunAsync(a, benchmarked, suite);
        await a.RunWhenAsync(runId, r => r.GetProperty("status").GetString() == "completed", Wait, "A's run scored");

        var ofA = await a.GetFromJsonAsync<JsonElement>("/benchmarks/coverage");
        var ofB = await b.GetFromJsonAsync<JsonElement>("/benchmarks/coverage");

        Assert.Equal((1, 1, 1.0), (ofA.GetProperty("active_agents").GetInt32(), ofA.GetProperty("benchmarked_agents").GetInt32(), ofA.GetProperty("coverage").GetDouble()));
        Assert.Empty(ofA.GetProperty("stale_agents").EnumerateArray());
        Assert.Equal((1, 0, 0.0), (ofB.GetProperty("active_agents").GetInt32(), ofB.GetProperty("benchmarked_agents").GetInt32(), ofB.GetProperty("coverage").GetDouble()));
        var staleAgent = Assert.Single(ofB.GetProperty("stale_agents").EnumerateArray());
        Assert.Equal(stale.AgentId, staleAgent.GetProperty("agent_id").GetGuid());
    }

    [Theory]
    [InlineData("team-a", "team-a")]
    [InlineData("", null)]
    public void The_catalog_reads_a_suites_workspace_and_none_for_a_suite_created_without_one(string sent, string? read)
    {
        var message = new Contracts.Grpc.Suites.SuiteMessage
        {
            SuiteId = Guid.NewGuid().ToString(), Name = "s", Category = "reasoning", WorkspaceId = sent,
        };

        var suite = Catalog.GrpcSuiteCatalog.ToSuite(message);

        Assert.Equal(read, suite.WorkspaceId);
        Assert.Equal(read ?? "default", Apis.RunAccess.OwnerOf(suite.WorkspaceId));
    }

    /// <summary>A client of a workspace of its own (a member: workspaces are the same for every role).</summary>
    private HttpClient Client() =>
        fixture.Host.CreateClient().WithCaller($"ws-{Guid.NewGuid():N}", ServiceDefaults.Workspaces.CallerRole.Member);

    private static string Workspace(HttpClient client) =>
        client.DefaultRequestHeaders.GetValues(ServiceDefaults.Workspaces.CallerHeaders.Workspace).Single();

    private (AgentSnapshot Agent, Guid SuiteId) AddAgentAndSuite(HttpClient owner)
    {
        var agent = fixture.Host.Catalog.AddAgent(
            AgentProtocols.HttpJson, $"{fixture.SampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=1", workspaceId: Workspace(owner));
        var suite = fixture.Host.Catalog.AddSuiteIn(Workspace(owner), FakeSuiteCatalog.Benchmark("arith", ("q1", "What is 1 + 1?", "2")));
        return (agent.Snapshot, suite.SuiteId);
    }

    /// <summary>A run's or a schedule's request (unknown fields are refused, so each gets only its own).</summary>
    private static object Body(string path, Guid agentId, Guid suiteId) => path == "/benchmarks/schedules"
        ? new { agent_id = agentId, suite_id = suiteId, cron_expression = "@monthly" }
        : new { agent_id = agentId, suite_id = suiteId };

    private static async Task<Guid> StartRunAsync(HttpClient http, AgentSnapshot agent, Guid suiteId)
    {
        using var response = await http.PostAsJsonAsync("/benchmarks/run", new { agent_id = agent.AgentId, suite_id = suiteId, configuration = new { iterations = 1 } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();
    }

    private static async Task<List<Guid>> ListedRunsAsync(HttpClient http, string query) =>
        [.. (await http.GetFromJsonAsync<JsonElement>($"/benchmarks/runs{query}")).GetProperty("runs").EnumerateArray()
            .Select(r => r.GetProperty("run_id").GetGuid())];

    /// <summary>
    /// Both responses are 404 problems, and the one about <paramref name="hiddenId"/> (which exists elsewhere) reads
    /// exactly as the one about <paramref name="unknownId"/> (which exists nowhere), once each names its id.
    /// </summary>
    private static async Task AssertSameNotFoundAsync(HttpResponseMessage hidden, Guid hiddenId, HttpResponseMessage unknown, Guid unknownId)
    {
        using (hidden)
        using (unknown)
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", hidden.Content.Headers.ContentType?.MediaType);
            Assert.Equal(await ShapeAsync(unknown, unknownId), await ShapeAsync(hidden, hiddenId));
        }

        static async Task<string> ShapeAsync(HttpResponseMessage response, Guid id)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            var fields = problem.EnumerateObject().Where(p => p.Name is not ("traceId" or "trace_id")).Select(p => $"{p.Name}={p.Value}");
            return string.Join("; ", fields).Replace(id.ToString(), "{id}", StringComparison.Ordinal);
        }
    }
}
