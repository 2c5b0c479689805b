using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Stress.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace BenchMesh.Stress.Tests;

/// <summary>
/// Stress runs belong to the workspace of the key that started them; agents and suites are targeted only when the caller
/// can see them (its own, or public). Everything else answers 404, and a request without a caller 401.
/// </summary>
public sealed class StressWorkspaceTests(StressServiceFixture service) : IClassFixture<StressServiceFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly object SmallLoad = new { rate = 5, duration_s = 1, connections = 1 };

    private readonly HttpClient _teamA = service.App.CreateClient().WithCaller("team-a");
    private readonly HttpClient _teamB = service.App.CreateClient().WithCaller("team-b", CallerRole.Member);

    private Task<int> RunsOfAsync(Guid agentId) => service.WithDbAsync(db => db.StressRuns.CountAsync(r => r.AgentId == agentId));

    private static async Task AssertNotFoundAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }

    private static async Task<Guid[]> ListedAsync(HttpClient http, Guid agentId)
    {
        var page = await http.GetFromJsonAsync<JsonElement>($"/stress/runs?agent_id={agentId}");
        return [.. page.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("stress_run_id").GetGuid())];
    }

    private async Task<Guid> StartFinishedRunAsync(HttpClient http, Guid agentId)
    {
        using var response = await http.PostAsJsonAsync("/stress/runs", new { agent_id = agentId, scenario = "high_load", parameters = SmallLoad });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stress_run_id").GetGuid();
        await Eventually.GetAsync<string?>(async () =>
        {
            var run = await http.GetFromJsonAsync<JsonElement>($"/stress/runs/{id}");
            return run.GetProperty("status").GetString() is "running" ? null : "ended";
        }, Timeout, "the stress run to end");
        return id;
    }

    [Fact]
    public async Task Another_workspaces_run_is_not_found_and_not_listed()
    {
        var agent = service.Catalog.Register("http-json", $"{service.Agent.Address}/json?case={Guid.NewGuid():N}", workspace: "team-b");
        var id = await StartFinishedRunAsync(_teamB, agent.AgentId);

        Assert.Equal("team-b", await service.WithDbAsync(db => db.StressRuns.Where(r => r.StressRunId == id).Select(r => r.WorkspaceId).SingleAsync()));
        await AssertNotFoundAsync(await _teamA.GetAsync($"/stress/runs/{id}"));
        Assert.Empty(await ListedAsync(_teamA, agent.AgentId));
        Assert.Equal([id], await ListedAsync(_teamB, agent.AgentId));
        Assert.Equal(HttpStatusCode.OK, (await _teamB.GetAsync($"/stress/runs/{id}")).StatusCode);
    }

    [Fact]
    public async Task An_agent_the_caller_cannot_see_is_not_found_and_starts_nothing()
    {
        var hidden = service.Catalog.Register("http-json", $"{service.Agent.Address}/json?case={Guid.NewGuid():N}", workspace: "team-b");

        await AssertNotFoundAsync(await _teamA.PostAsJsonAsync("/stress/runs", new { agent_id = hidden.AgentId, scenario = "high_load", parameters = SmallLoad }));

        Assert.Equal(0, await RunsOfAsync(hidden.AgentId));
    }

    [Fact]
    public async Task A_public_agent_of_another_workspace_can_be_stress_tested_and_the_run_is_the_callers()
    {
        var shared = service.Catalog.Register(
            "http-json", $"{service.Agent.Address}/json?case={Guid.NewGuid():N}", workspace: "team-b", isPublic: true);

        var id = await StartFinishedRunAsync(_teamA, shared.AgentId);

        Assert.Equal(HttpStatusCode.OK, (await _teamA.GetAsync($"/stress/runs/{id}")).StatusCode);
        // The agent's owner does not see a run another workspace started against it.
        await AssertNotFoundAsync(await _teamB.GetAsync($"/stress/runs/{id}"));
        Assert.Empty(await ListedAsync(_teamB, shared.AgentId));
    }

    [Fact]
    public async Task A_suite_the_caller_cannot_see_is_not_found_and_starts_nothing()
    {
        var agent = service.Catalog.Register("http-json", $"{service.Agent.Address}/json?case={Guid.NewGuid():N}", workspace: "team-a");
        var hiddenSuite = service.Catalog.RegisterSuite(new() { [Guid.NewGuid()] = ["private prompt"] }, workspace: "team-b");

        await AssertNotFoundAsync(await _teamA.PostAsJsonAsync("/stress/runs", new
        {
            agent_id = agent.AgentId, scenario = "high_load", parameters = SmallLoad, suite_id = hiddenSuite,
        }));

        Assert.Equal(0, await RunsOfAsync(agent.AgentId));
    }

    [Fact]
    public async Task Runs_stored_before_workspaces_belong_to_the_default_workspace()
    {
        var database = service.Infrastructure.CreateDatabase("stress_legacy");
        var id = Guid.CreateVersion7();
        await using (var db = new StressDbContext(new DbContextOptionsBuilder<StressDbContext>().UseNpgsql(database).Options))
        {
            await db.GetService<IMigrator>().MigrateAsync("20261206174631_StressRunListIndexes");
            await db.Database.ExecuteSqlAsync($$"""
                INSERT INTO stress.stress_runs (stress_run_id, agent_id, agent_name, agent_version, scenario, status, parameters,
                    requests_completed, created_at, owner, heartbeat_at)
                VALUES ({{id}}, {{Guid.NewGuid()}}, 'legacy', '1.0', 'spike', 'completed', '{}', 10, now(), 'gone', now())
                """);
            await db.Database.MigrateAsync();
            Assert.Equal(Callers.DefaultWorkspace, await db.StressRuns.Where(r => r.StressRunId == id).Select(r => r.WorkspaceId).SingleAsync());
        }
    }

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/stress/runs" },
        { "GET", $"/stress/runs/{Guid.NewGuid()}" },
        { "POST", "/stress/runs" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_request_without_a_caller_is_refused_with_401_problem_json(string method, string path)
    {
        using var anonymous = service.App.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { agent_id = Guid.NewGuid(), scenario = "high_load" });
        }

        using var response = await anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task With_an_internal_token_configured_a_caller_without_it_is_refused()
    {
        const string token = "internal-test-token";
        var database = service.Infrastructure.CreateDatabase("stress_token");
        var rabbit = await service.Infrastructure.CreateVirtualHostAsync("stress_token");
        await using var app = StressServiceFixture.CreateApp(database, rabbit, service.Catalog,
            new Dictionary<string, string> { [CallerEndpointExtensions.InternalTokenKey] = token });

        using var withoutToken = app.CreateClient().WithCaller();
        using var wrongToken = app.CreateClient().WithCaller(Callers.Of(), "not-the-token");
        using var withToken = app.CreateClient().WithCaller(Callers.Of(), token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await withoutToken.GetAsync("/stress/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongToken.GetAsync("/stress/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await withToken.GetAsync("/stress/runs")).StatusCode);
    }
}
