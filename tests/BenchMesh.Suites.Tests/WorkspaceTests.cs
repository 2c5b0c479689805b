extern alias catalog;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Testing;
using catalog::BenchMesh.Catalog;
using Microsoft.AspNetCore.Hosting;
using static BenchMesh.Suites.Tests.HttpAssertions;
using SuiteCatalogClient = catalog::BenchMesh.Contracts.Grpc.Suites.SuiteCatalog.SuiteCatalogClient;

namespace BenchMesh.Suites.Tests;

/// <summary>
/// Agents and suites belong to the caller's workspace: another workspace's answer 404 unless public, and only their
/// own workspace changes them, public or not. Requests without a caller answer 401.
/// </summary>
public sealed class WorkspaceTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private static string Agent(string name, bool isPublic = false) => $$"""
        { "name": "{{name}}", "is_public": {{(isPublic ? "true" : "false")}}, "protocol": "openai-chat",
          "endpoint": "http://127.0.0.1:5161/v1", "versions": [ { "version": "1.0" } ] }
        """;

    private static string Suite(string name, bool isPublic = false) => $$"""
        { "name": "{{name}}", "is_public": {{(isPublic ? "true" : "false")}},
          "benchmarks": [ { "name": "b", "scoring_rubric": { "type": "exact_match" },
                            "dataset": { "items": [ { "id": "q1", "input": "2 + 3?", "expected": "5" } ] } } ] }
        """;

    private static async Task<string> CreateAsync(HttpClient client, string path, string body, string idField)
    {
        using var response = await client.PostAsync(path, Json(body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.ReadObjectAsync())[idField]!;
    }

    private static async Task<string[]> NamesAsync(HttpClient client, string path, string list) =>
        [.. (await client.GetFromJsonAsync<JsonObject>(path))![list]!.AsArray().Select(a => (string)a!["name"]!)];

    [Fact]
    public async Task A_key_of_another_workspace_gets_404_for_private_agents_and_suites_reads_and_writes()
    {
        await using var app = new SuitesApp(infrastructure, "workspaces");
        var teamA = app.CreateClient().WithCaller("team-a");
        var teamB = app.CreateClient().WithCaller("team-b", CallerRole.Member);
        var agentId = await CreateAsync(teamB, "/agents", Agent("b-agent"), "agent_id");
        var suiteId = await CreateAsync(teamB, "/suites", Suite("b-suite"), "suite_id");
        var before = await app.CountRowsAsync();

        await (await teamA.GetAsync($"/agents/{agentId}")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await teamA.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "2.0" }"""))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await teamA.GetAsync($"/suites/{suiteId}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await NamesAsync(teamA, "/agents", "agents"));
        Assert.Empty(await NamesAsync(teamA, "/suites", "suites"));
        Assert.Empty(await NamesAsync(teamA, "/agents?workspace_id=team-b", "agents"));
        // A suite may not name another workspace's private agent as its judge: to team-a it is not registered.
        var judged = Suite("judged").Replace(
            """{ "type": "exact_match" }""", $$"""{ "type": "model_graded", "judge_agent_id": "{{agentId}}" }""",
            StringComparison.Ordinal);
        await (await teamA.PostAsync("/suites", Json(judged))).AssertValidationProblemAsync("benchmarks[0].scoring_rubric.judge_agent_id");
        Assert.Equal(before, await app.CountRowsAsync());

        // The owner still reads and changes them.
        Assert.Equal(HttpStatusCode.OK, (await teamB.GetAsync($"/agents/{agentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await teamB.GetAsync($"/suites/{suiteId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await teamB.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "2.0" }"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await teamB.PostAsync("/suites", Json(judged))).StatusCode);
    }

    [Fact]
    public async Task A_public_agent_or_suite_is_seen_by_every_workspace_but_changed_only_by_its_own()
    {
        await using var app = new SuitesApp(infrastructure, "workspaces");
        var teamA = app.CreateClient().WithCaller("team-a");
        var teamB = app.CreateClient().WithCaller("team-b");
        var agentId = await CreateAsync(teamB, "/agents", Agent("shared-agent", isPublic: true), "agent_id");
        var suiteId = await CreateAsync(teamB, "/suites", Suite("shared-suite", isPublic: true), "suite_id");

        var agent = await (await teamA.GetAsync($"/agents/{agentId}")).ReadObjectAsync();
        var suite = await (await teamA.GetAsync($"/suites/{suiteId}")).ReadObjectAsync();
        Assert.Equal(("team-b", true), ((string)agent["workspace_id"]!, (bool)agent["is_public"]!));
        Assert.Equal(("team-b", true), ((string)suite["workspace_id"]!, (bool)suite["is_public"]!));
        Assert.Equal(["shared-agent"], await NamesAsync(teamA, "/agents", "agents"));
        Assert.Equal(["shared-suite"], await NamesAsync(teamA, "/suites", "suites"));

        var before = await app.CountRowsAsync();
        await (await teamA.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "2.0" }"""))).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(before, await app.CountRowsAsync());
        Assert.Equal(HttpStatusCode.Created, (await teamB.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "2.0" }"""))).StatusCode);
    }

    [Fact]
    public async Task Creation_takes_the_workspace_from_the_key_and_refuses_another_in_the_body()
    {
        await using var app = new SuitesApp(infrastructure, "workspaces");
        var teamA = app.CreateClient().WithCaller("team-a");

        var agent = await (await teamA.PostAsync("/agents", Json(Agent("a")))).ReadObjectAsync();
        var suite = await (await teamA.PostAsync("/suites", Json(Suite("s")))).ReadObjectAsync();
        Assert.Equal(("team-a", false), ((string)agent["workspace_id"]!, (bool)agent["is_public"]!));
        Assert.Equal(("team-a", false), ((string)suite["workspace_id"]!, (bool)suite["is_public"]!));

        var before = await app.CountRowsAsync();
        var otherAgent = JsonNode.Parse(Agent("b"))!.AsObject();
        otherAgent["workspace_id"] = "team-b";
        var otherSuite = JsonNode.Parse(Suite("t"))!.AsObject();
        otherSuite["workspace_id"] = "team-b";
        await (await teamA.PostAsJsonAsync("/agents", otherAgent)).AssertValidationProblemAsync("workspace_id");
        await (await teamA.PostAsJsonAsync("/suites", otherSuite)).AssertValidationProblemAsync("workspace_id");
        Assert.Equal(before, await app.CountRowsAsync());
    }

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/agents" },
        { "GET", $"/agents/{Guid.NewGuid()}" },
        { "POST", "/agents" },
        { "POST", $"/agents/{Guid.NewGuid()}/versions" },
        { "GET", "/suites" },
        { "GET", $"/suites/{Guid.NewGuid()}" },
        { "POST", "/suites" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_request_without_a_caller_gets_401_problem_json_and_writes_nothing(string method, string path)
    {
        await using var app = new SuitesApp(infrastructure, "workspaces");
        HttpRequestMessage Request() => new(new HttpMethod(method), path)
        {
            Content = method == "POST" ? Json(path == "/suites" ? Suite("s") : Agent("a")) : null,
        };

        // No headers at all, and a caller whose role is not one (the gateway never sends such): both unauthenticated.
        var malformed = app.CreateClient();
        malformed.DefaultRequestHeaders.Add(CallerHeaders.Workspace, "default");
        malformed.DefaultRequestHeaders.Add(CallerHeaders.Role, "root");
        malformed.DefaultRequestHeaders.Add(CallerHeaders.KeyId, "k");

        await (await app.CreateClient().SendAsync(Request())).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await malformed.SendAsync(Request())).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task With_an_internal_token_configured_only_requests_that_carry_it_pass()
    {
        const string token = "internal-test-token";
        await using var app = new SuitesApp(infrastructure, "workspaces");
        await using var secured = app.WithWebHostBuilder(b => b.UseSetting(CallerEndpointExtensions.InternalTokenKey, token));

        await (await secured.CreateClient().WithCaller().GetAsync("/agents")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await secured.CreateClient().WithCaller(Callers.Of(), "wrong").GetAsync("/agents")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await secured.CreateClient().WithCaller(Callers.Of(), token).GetAsync("/agents")).StatusCode);
    }

    [Fact]
    public async Task The_catalog_tells_other_services_each_agents_and_suites_workspace_and_whether_it_is_public()
    {
        await using var app = new SuitesApp(infrastructure, "workspaces");
        var teamB = app.CreateClient().WithCaller("team-b");
        var shared = Guid.Parse(await CreateAsync(teamB, "/agents", Agent("shared", isPublic: true), "agent_id"));
        var own = Guid.Parse(await CreateAsync(teamB, "/agents", Agent("own"), "agent_id"));
        var suiteId = Guid.Parse(await CreateAsync(teamB, "/suites", Suite("shared-suite", isPublic: true), "suite_id"));
        using var channel = CatalogGrpcTests.Channel(app);
        var catalog = new GrpcSuiteCatalog(new SuiteCatalogClient(channel));

        var sharedVersion = (await catalog.GetAgentVersionAsync(shared, null, CancellationToken.None))!;
        var ownAgent = (await catalog.GetAgentAsync(own, CancellationToken.None))!;
        var suite = (await catalog.GetSuiteAsync(suiteId, CancellationToken.None))!;
        var listed = await catalog.ListAgentsAsync(CancellationToken.None);

        Assert.Equal(("team-b", true), (sharedVersion.Snapshot.WorkspaceId, sharedVersion.IsPublic));
        Assert.Equal(("team-b", false), (ownAgent.WorkspaceId, ownAgent.IsPublic));
        Assert.Equal(("team-b", true), (suite.WorkspaceId, suite.IsPublic));
        Assert.Equal([true, false], listed.Select(a => a.IsPublic));
    }
}
