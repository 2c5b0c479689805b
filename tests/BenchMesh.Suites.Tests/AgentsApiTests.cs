using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchMesh.Testing;
using static BenchMesh.Suites.Tests.HttpAssertions;

namespace BenchMesh.Suites.Tests;

public sealed class AgentsApiTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private const string Secret = "sk-very-secret-key";

    private static JsonObject SupportBot(string name = "support-bot", string workspace = "default") => JsonNode.Parse($$"""
        {
          "name": "{{name}}", "workspace_id": "{{workspace}}", "protocol": "openai-chat",
          "endpoint": "http://127.0.0.1:5161/openai/baseline", "api_key": "{{Secret}}", "description": "answers tickets",
          "pricing": { "input_per_million_usd": 0.5, "output_per_million_usd": 1.5, "per_call_usd": 0.0001 },
          "versions": [
            { "version": "1.0", "model_configuration": { "model": "gpt-x", "temperature": 0, "stop": ["\n"] } },
            { "version": "1.1", "model_configuration": { "model": "gpt-y" }, "endpoint": "http://127.0.0.1:5161/openai/v2",
              "pricing": { "output_per_million_usd": 2.25 } }
          ]
        }
        """)!.AsObject();

    [Fact]
    public async Task CreatedAgentReadsBackWithEveryFieldAndNeverItsApiKey()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();

        var created = await client.PostAsJsonAsync("/agents", SupportBot());
        var createdText = await created.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var agent = JsonNode.Parse(createdText)!.AsObject();
        var agentId = (string)agent["agent_id"]!;
        // Only the registration offers the default schedule; the rest is the representation GET answers with.
        var suggested = agent["suggested_schedule"]!.AsObject();
        Assert.Matches(@"^[0-5]?[0-9] 3 1,15 \* \*$", (string)suggested["cron_expression"]!);
        Assert.Equal("UTC", (string)suggested["time_zone"]!);
        Assert.Equal("POST", (string)suggested["method"]!);
        Assert.Equal("/benchmarks/schedules", (string)suggested["endpoint"]!);
        agent.Remove("suggested_schedule");
        Assert.Equal($"/agents/{agentId}", created.Headers.Location?.OriginalString);
        Assert.Equal("support-bot", (string)agent["name"]!);
        Assert.Equal("default", (string)agent["workspace_id"]!);
        Assert.Equal("openai-chat", (string)agent["protocol"]!);
        Assert.Equal("http://127.0.0.1:5161/openai/baseline", (string)agent["endpoint"]!);
        Assert.Equal("answers tickets", (string)agent["description"]!);
        Assert.True((bool)agent["has_api_key"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{ "input_per_million_usd": 0.5, "output_per_million_usd": 1.5, "per_call_usd": 0.0001 }"""), agent["pricing"]));

        var versions = agent["versions"]!.AsArray();
        Assert.Equal(["1.0", "1.1"], versions.Select(v => (string)v!["version"]!));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "model": "gpt-x", "temperature": 0, "stop": ["\n"] }"""), versions[0]!["model_configuration"]));
        // Without overrides a version uses the agent's endpoint and prices; an override replaces only what it names.
        Assert.Equal("http://127.0.0.1:5161/openai/baseline", (string)versions[0]!["endpoint"]!);
        Assert.Equal("http://127.0.0.1:5161/openai/v2", (string)versions[1]!["endpoint"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{ "input_per_million_usd": 0.5, "output_per_million_usd": 2.25, "per_call_usd": 0.0001 }"""), versions[1]!["pricing"]));

        var read = await client.GetAsync($"/agents/{agentId}");
        var readText = await read.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.True(JsonNode.DeepEquals(agent, JsonNode.Parse(readText)), $"POST answered {createdText}\nGET answered {readText}");

        var listText = await client.GetStringAsync("/agents?workspace_id=default");
        Assert.True(JsonNode.DeepEquals(agent, JsonNode.Parse(listText)!["agents"]![0]));

        foreach (var text in new[] { createdText, readText, listText })
        {
            Assert.DoesNotContain(Secret, text);
            Assert.DoesNotContain("\"api_key\"", text);
        }
    }

    [Fact]
    public async Task ListingShowsTheCallersWorkspaceAndPublicAgentsAndFiltersByWorkspace()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        var teamB = app.CreateClient().WithCaller("team-b");
        (await client.PostAsJsonAsync("/agents", SupportBot("a"))).EnsureSuccessStatusCode();
        var shared = SupportBot("b-shared", "team-b");
        shared["is_public"] = true;
        (await teamB.PostAsJsonAsync("/agents", shared)).EnsureSuccessStatusCode();
        (await teamB.PostAsJsonAsync("/agents", SupportBot("b-private", "team-b"))).EnsureSuccessStatusCode();

        async Task<string[]> Names(HttpClient http, string query) =>
            [.. (await http.GetFromJsonAsync<JsonObject>($"/agents{query}"))!["agents"]!.AsArray().Select(a => (string)a!["name"]!)];

        Assert.Equal(["a", "b-shared"], await Names(client, ""));
        Assert.Equal(["b-shared"], await Names(client, "?workspace_id=team-b"));
        Assert.Equal(["b-shared", "b-private"], await Names(teamB, ""));
        Assert.Equal(["a"], await Names(client, "?workspace_id=default"));
    }

    [Fact]
    public async Task AgentWithoutApiKeyOrPricingIsFreeAndSaysSo()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();

        var response = await client.PostAsync("/agents", Json("""
            { "name": "cli-agent", "workspace_id": "default", "protocol": "process", "command": ["python3", "agent.py", "--fast"] }
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var agent = await response.ReadObjectAsync();
        Assert.False((bool)agent["has_api_key"]!);
        Assert.Equal("""{"command":["python3","agent.py","--fast"],"mode":"per_call"}""", (string)agent["endpoint"]!);
        Assert.Equal(0m, (decimal)agent["pricing"]!["per_call_usd"]!);
        Assert.Empty(agent["versions"]!.AsArray());
    }

    [Fact]
    public async Task AddedVersionAppearsWithItsEffectiveEndpointAndPricing()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        var agentId = (string)(await (await client.PostAsJsonAsync("/agents", SupportBot())).ReadObjectAsync())["agent_id"]!;

        var added = await client.PostAsync($"/agents/{agentId}/versions", Json("""
            { "version": "2.0", "model_configuration": { "model": "gpt-z", "top_p": 0.9 }, "pricing": { "input_per_million_usd": 3 } }
            """));

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal($"/agents/{agentId}", added.Headers.Location?.OriginalString);
        var read = (await client.GetFromJsonAsync<JsonObject>($"/agents/{agentId}"))!;
        var version = read["versions"]!.AsArray().Single(v => (string)v!["version"]! == "2.0")!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "model": "gpt-z", "top_p": 0.9 }"""), version["model_configuration"]));
        Assert.Equal("http://127.0.0.1:5161/openai/baseline", (string)version["endpoint"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{ "input_per_million_usd": 3, "output_per_million_usd": 1.5, "per_call_usd": 0.0001 }"""), version["pricing"]));
        Assert.Equal(3, read["versions"]!.AsArray().Count);
    }

    // The agent's key goes out as a Bearer token to the version's endpoint: an override to another origin would hand
    // the key to whoever runs that server.
    [Theory]
    [InlineData("https://attacker.example")]
    [InlineData("https://127.0.0.1:5161/openai/v2")]             // another scheme
    [InlineData("http://127.0.0.1:5162/openai/v2")]              // another port
    [InlineData("http://localhost:5161/openai/v2")]              // another host name for the same machine is another origin
    [InlineData("http://127.0.0.1:5161@attacker.example/v1")]    // user info that looks like the agent's host
    public async Task VersionMovingTheApiKeyToAnotherOriginIsUnprocessableAndWritesNothing(string endpoint)
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        var agentId = (string)(await (await client.PostAsJsonAsync("/agents", SupportBot())).ReadObjectAsync())["agent_id"]!;
        var before = await app.CountRowsAsync();

        var added = await client.PostAsync($"/agents/{agentId}/versions", Json($$"""{ "version": "evil", "endpoint": "{{endpoint}}" }"""));

        await added.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        var problem = await added.ReadObjectAsync();
        Assert.Contains("origin", (string)problem["detail"]!);
        Assert.Contains("http://127.0.0.1:5161", (string)problem["detail"]!);
        Assert.DoesNotContain(Secret, problem.ToJsonString());
        Assert.Equal(before, await app.CountRowsAsync());
        var versions = (await client.GetFromJsonAsync<JsonObject>($"/agents/{agentId}"))!["versions"]!.AsArray();
        Assert.DoesNotContain(versions, v => (string)v!["version"]! == "evil");
    }

    [Fact]
    public async Task RegistrationWithAVersionMovingTheApiKeyToAnotherOriginIsUnprocessableAndWritesNothing()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        var agent = SupportBot();
        agent["versions"]!.AsArray().Add(JsonNode.Parse("""{ "version": "2.0", "endpoint": "https://attacker.example/v1" }"""));

        var response = await client.PostAsJsonAsync("/agents", agent);

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("'2.0'", (string)(await response.ReadObjectAsync())["detail"]!);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5161/other/path")]
    [InlineData("HTTP://127.0.0.1:5161/openai/v3")]              // scheme and host compare case-insensitively
    public async Task VersionOnTheSameOriginKeepsTheApiKey(string endpoint)
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        var agentId = (string)(await (await client.PostAsJsonAsync("/agents", SupportBot())).ReadObjectAsync())["agent_id"]!;

        var added = await client.PostAsync($"/agents/{agentId}/versions", Json($$"""{ "version": "3.0", "endpoint": "{{endpoint}}" }"""));

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
    }

    [Fact]
    public async Task AgentWithoutApiKeyMayPointAVersionAnywhere()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        var agent = SupportBot();
        agent.Remove("api_key");
        agent["versions"]!.AsArray().Add(JsonNode.Parse("""{ "version": "2.0", "endpoint": "https://elsewhere.example/v1" }"""));
        var agentId = (string)(await (await client.PostAsJsonAsync("/agents", agent)).ReadObjectAsync())["agent_id"]!;

        var added = await client.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "3.0", "endpoint": "http://10.0.0.7:9000/agent" }"""));

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var versions = (await added.ReadObjectAsync())["versions"]!.AsArray();
        Assert.Equal("https://elsewhere.example/v1", (string)versions[2]!["endpoint"]!);
        Assert.Equal("http://10.0.0.7:9000/agent", (string)versions[3]!["endpoint"]!);
    }

    [Fact]
    public async Task DuplicateNameInTheSameWorkspaceIsAConflictAndWritesNothing()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        (await client.PostAsJsonAsync("/agents", SupportBot())).EnsureSuccessStatusCode();
        var before = await app.CountRowsAsync();

        var duplicate = await client.PostAsJsonAsync("/agents", SupportBot());
        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(before, await app.CountRowsAsync());

        // The same name in another workspace is another agent.
        Assert.Equal(HttpStatusCode.Created, (await app.CreateClient().WithCaller("team-b").PostAsJsonAsync("/agents", SupportBot(workspace: "team-b"))).StatusCode);
    }

    [Fact]
    public async Task ExistingVersionIsAConflictAndWritesNothing()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        var agentId = (string)(await (await client.PostAsJsonAsync("/agents", SupportBot())).ReadObjectAsync())["agent_id"]!;
        var before = await app.CountRowsAsync();

        var duplicate = await client.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "1.1", "model_configuration": {} }"""));

        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(before, await app.CountRowsAsync());
    }

    [Theory]
    [InlineData("/agents/00000000-0000-0000-0000-000000000001")]
    [InlineData("/agents/not-a-guid")]
    public async Task UnknownAgentIsNotFound(string path)
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();

        await (await client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"{path}/versions", Json("""{ "version": "1" }"""))).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> InvalidAgents => new()
    {
        { """{ "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a" }""", "name" },
        // The body may repeat the key's workspace, never name another.
        { """{ "name": "n", "workspace_id": "team-b", "protocol": "http-json", "endpoint": "http://a" }""", "workspace_id" },
        { """{ "name": "n", "workspace_id": "default", "endpoint": "http://a" }""", "protocol" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "grpc", "endpoint": "http://a" }""", "protocol" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json" }""", "endpoint" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "/relative/path" }""", "endpoint" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "openai-chat", "endpoint": "ftp://host/x" }""", "endpoint" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "pricing": { "input_per_million_usd": -1 } }""", "pricing.input_per_million_usd" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "pricing": { "per_call_usd": 1000001 } }""", "pricing.per_call_usd" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "versions": [ { "version": "" } ] }""", "versions[0].version" },
        { $$"""{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "versions": [ { "version": "{{new string('v', 65)}}" } ] }""", "versions[0].version" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "versions": [ { "version": "1" }, { "version": "1" } ] }""", "versions[1].version" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "versions": [ { "version": "1", "model_configuration": [1, 2] } ] }""", "versions[0].model_configuration" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "versions": [ { "version": "1", "endpoint": "not a url" } ] }""", "versions[0].endpoint" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "versions": [ { "version": "1", "pricing": { "output_per_million_usd": -0.01 } } ] }""", "versions[0].pricing.output_per_million_usd" },
        // Malformed JSON and values of the wrong type name the field where reading stopped.
        { """{ "name": "n", "workspace_id": "default", """, "body" },
        { """{ "name": "n", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "pricing": { "per_call_usd": "free" } }""", "pricing.per_call_usd" },
    };

    [Theory]
    [MemberData(nameof(InvalidAgents))]
    public async Task InvalidAgentIsRejectedWithTheFieldAndWritesNothing(string body, string field)
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();

        var response = await client.PostAsync("/agents", Json(body));

        await response.AssertValidationProblemAsync(field);
        Assert.All(await app.CountRowsAsync(), table => Assert.Equal(0, table.Value));
    }

    [Fact]
    public async Task InvalidVersionIsRejectedWithTheFieldAndWritesNothing()
    {
        await using var app = new SuitesApp(infrastructure, "agents");
        var client = app.CreateClient().WithCaller();
        var agentId = (string)(await (await client.PostAsJsonAsync("/agents", SupportBot())).ReadObjectAsync())["agent_id"]!;
        var before = await app.CountRowsAsync();

        await (await client.PostAsync($"/agents/{agentId}/versions", Json("""{ "model_configuration": {} }""")))
            .AssertValidationProblemAsync("version");
        await (await client.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "3", "model_configuration": "gpt" }""")))
            .AssertValidationProblemAsync("model_configuration");
        await (await client.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "3", "endpoint": "127.0.0.1:80" }""")))
            .AssertValidationProblemAsync("endpoint");

        Assert.Equal(before, await app.CountRowsAsync());
    }
}
