using System.Net;
using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Scoring.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BenchMesh.Scoring.Tests;

/// <summary>
/// Scoring's routes as two workspaces' callers see them, on a real PostgreSQL: each reads its own agents' results,
/// profiles and cost figures; another workspace's ids answer exactly as unknown ones; no caller is a 401.
/// </summary>
public sealed class WorkspaceScopeTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly RegisteredAgentsCatalog _catalog = new();
    private readonly Guid _suite = Guid.NewGuid();
    private WebApplicationFactory<ScoringDbContext> _factory = null!;
    private HttpClient _teamA = null!;
    private HttpClient _teamB = null!;
    private HttpClient _default = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        var database = infra.CreateDatabase("scope");
        var rabbitMq = await infra.CreateVirtualHostAsync("scope");
        _factory = new WebApplicationFactory<ScoringDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{ResourceNames.ScoringDb}", database);
            b.UseSetting($"ConnectionStrings:{ResourceNames.RabbitMq}", rabbitMq);
            b.ConfigureTestServices(services => services.RemoveAll<ISuiteCatalog>().AddSingleton<ISuiteCatalog>(_catalog));
        });
        _teamA = _factory.CreateClient().WithCaller("team-a");
        _teamB = _factory.CreateClient().WithCaller("team-b", CallerRole.Member);
        _default = _factory.CreateClient().WithCaller();
        _anonymous = _factory.CreateClient();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Another_workspaces_agent_and_execution_answer_404_with_the_body_of_an_unknown_id()
    {
        var (agentA, executionA) = await SeedAgentAsync("team-a");
        var (agentB, executionB) = await SeedAgentAsync("team-b");
        var unknownAgent = Guid.NewGuid();
        var unknownExecution = Guid.NewGuid();

        foreach (var path in new[] { "/benchmarks/agents/{0}/results", "/benchmarks/agents/{0}/results?timeframe=all", "/benchmarks/agents/{0}/cost-analysis" })
        {
            Assert.Equal(HttpStatusCode.OK, (await _teamA.GetAsync(string.Format(path, agentA))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _teamB.GetAsync(string.Format(path, agentB))).StatusCode);
            await NotFoundProblems.AssertSameAsync(
                await _teamA.GetAsync(string.Format(path, agentB)), agentB,
                await _teamA.GetAsync(string.Format(path, unknownAgent)), unknownAgent);
        }

        Assert.Equal(HttpStatusCode.OK, (await _teamA.GetAsync($"/benchmarks/executions/{executionA}/profile")).StatusCode);
        await NotFoundProblems.AssertSameAsync(
            await _teamA.GetAsync($"/benchmarks/executions/{executionB}/profile"), executionB,
            await _teamA.GetAsync($"/benchmarks/executions/{unknownExecution}/profile"), unknownExecution);
    }

    [Fact]
    public async Task A_registered_agent_of_another_workspace_without_results_is_404_and_ones_own_is_an_empty_200()
    {
        var own = _catalog.Register(workspaceId: "team-a");
        var theirs = _catalog.Register(workspaceId: "team-b");

        using var mine = await _teamA.GetAsync($"/benchmarks/agents/{own}/results");
        using var other = await _teamA.GetAsync($"/benchmarks/agents/{theirs}/results");
        var unknownId = Guid.NewGuid();
        using var unknown = await _teamA.GetAsync($"/benchmarks/agents/{unknownId}/results");

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal(0, (await JsonAsync(mine)).RootElement.GetProperty("results").GetArrayLength());
        await NotFoundProblems.AssertSameAsync(other, theirs, unknown, unknownId);
    }

    [Fact]
    public async Task Executions_stored_without_a_workspace_belong_to_default()
    {
        var (legacy, execution) = await SeedAgentAsync(workspace: null);

        Assert.Equal(HttpStatusCode.OK, (await _default.GetAsync($"/benchmarks/agents/{legacy}/results")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _default.GetAsync($"/benchmarks/executions/{execution}/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _teamA.GetAsync($"/benchmarks/agents/{legacy}/results")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _teamA.GetAsync($"/benchmarks/executions/{execution}/profile")).StatusCode);
    }

    [Fact]
    public async Task The_cost_frontier_of_a_shared_suite_shows_only_the_callers_agents()
    {
        var (a1, _) = await SeedAgentAsync("team-a");
        var (a2, _) = await SeedAgentAsync("team-a");
        var (b, _) = await SeedAgentAsync("team-b");

        using var forA = await JsonAsync(await _teamA.GetAsync($"/benchmarks/cost-frontier?suite_id={_suite}"));
        using var forB = await JsonAsync(await _teamB.GetAsync($"/benchmarks/cost-frontier?suite_id={_suite}"));

        Assert.Equal(new[] { a1, a2 }.Order(), AgentsOf(forA).Order());
        Assert.Equal([b], AgentsOf(forB));
    }

    [Theory]
    [InlineData("/benchmarks/agents/0b1c7ad0-1111-4111-8111-000000000001/results")]
    [InlineData("/benchmarks/agents/0b1c7ad0-1111-4111-8111-000000000001/cost-analysis")]
    [InlineData("/benchmarks/executions/0b1c7ad0-1111-4111-8111-000000000001/profile")]
    [InlineData("/benchmarks/cost-frontier?suite_id=0b1c7ad0-1111-4111-8111-000000000001")]
    public async Task Without_a_caller_every_route_is_a_401_problem(string path)
    {
        using var response = await _anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await JsonAsync(response)).RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Health_and_OpenAPI_need_no_caller()
    {
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync("/alive")).StatusCode);
    }

    private static List<Guid> AgentsOf(JsonDocument frontier) =>
        frontier.RootElement.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("agent_id").GetGuid()).ToList();

    private static async Task<JsonDocument> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode || (int)response.StatusCode >= 400, $"{response.StatusCode}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>An agent of <paramref name="workspace"/> with one successful execution on the shared suite.</summary>
    private async Task<(Guid Agent, Guid Execution)> SeedAgentAsync(string? workspace)
    {
        var execution = new BenchmarkExecution
        {
            ExecutionId = Guid.NewGuid(),
            RunId = Guid.NewGuid(),
            AgentId = Guid.NewGuid(),
            AgentName = "support-bot",
            AgentVersion = "1.0",
            WorkspaceId = workspace,
            SuiteId = _suite,
            SuiteCategory = "qa",
            BenchmarkId = Guid.NewGuid(),
            BenchmarkName = "arithmetic",
            BenchmarkCategory = "qa",
            StartTime = Day.AddSeconds(-5),
            EndTime = Day,
            Status = "success",
            AccuracyScore = 0.8,
            SpeedScore = 0.9,
            ApiCallsMade = 10,
            ReliabilityScore = 1,
            CostUsd = 0.01m,
            Metrics = """{"samples":10,"failed_samples":0}""",
            WorkerId = "worker-1",
            CreatedAt = Day,
        };
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        db.BenchmarkExecutions.Add(execution);
        await db.SaveChangesAsync();
        return (execution.AgentId, execution.ExecutionId);
    }
}
