using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BenchMesh.Contracts.Grpc.Suites;
using BenchMesh.Credentials;
using BenchMesh.Suites.Data;
using BenchMesh.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BenchMesh.Suites.Tests.HttpAssertions;

namespace BenchMesh.Suites.Tests;

public sealed class CatalogGrpcTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    [Fact]
    public async Task GetSuiteReturnsEveryBenchmarkWithItsItemsRubricAndConstraints()
    {
        await using var app = new SuitesApp(infrastructure, "grpc");
        var created = await (await app.CreateClient().WithCaller().PostAsync("/suites", Json(SuitesApiTests.ArithmeticAndText))).ReadObjectAsync();
        var suiteId = (string)created["suite_id"]!;
        using var channel = Channel(app);

        var suite = await Catalog.GetSuiteAsync(channel, suiteId);

        Assert.Equal(suiteId, suite.SuiteId);
        Assert.Equal("arithmetic-and-text", suite.Name);
        Assert.Equal("accuracy", suite.Category);
        Assert.Equal(["arithmetic", "text"], suite.Benchmarks.Select(b => b.Name));
        var arithmetic = suite.Benchmarks[0];
        Assert.Equal((string)created["benchmarks"]![0]!["benchmark_id"]!, arithmetic.BenchmarkId);
        Assert.Equal("math", arithmetic.Category);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "type": "numeric_tolerance", "tolerance": 0.01, "relative": false }"""), JsonNode.Parse(arithmetic.RubricJson)));
        Assert.Equal(new ConstraintsMessage { TimeoutSeconds = 30, TargetLatencyMs = 800, TargetTokens = 200, TargetCostUsd = 0.002, MaxTokens = 256 }, arithmetic.Constraints);
        Assert.Equal(["q1", "q2"], arithmetic.Items.Select(i => i.Id));
        Assert.Equal("What is 2 + 3?", arithmetic.Items[0].Input);
        Assert.Equal("5", arithmetic.Items[0].Expected);
        Assert.Equal("", arithmetic.Items[0].RubricJson);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "type": "regex", "pattern": "^2[.,]5$" }"""), JsonNode.Parse(arithmetic.Items[1].RubricJson)));
        var text = suite.Benchmarks[1];
        Assert.False(text.Items[0].HasExpected);
        Assert.Equal(0, text.Constraints.MaxTokens);
        Assert.Equal(30, text.Constraints.TimeoutSeconds);
        Assert.Empty(suite.RegressionThresholds);
    }

    [Fact]
    public async Task GetSuiteCarriesTheSuitesRegressionThresholdsAndCanLeaveTheItemsOut()
    {
        await using var app = new SuitesApp(infrastructure, "grpc");
        var body = SuitesApiTests.ArithmeticAndText.Replace(
            "\"workspace_id\": \"default\",", "\"workspace_id\": \"default\", \"regression_thresholds\": { \"latency_ms\": 0.1, \"accuracy\": 0.02 },", StringComparison.Ordinal);
        var created = await (await app.CreateClient().WithCaller().PostAsync("/suites", Json(body))).ReadObjectAsync();
        using var channel = Channel(app);

        var full = await Catalog.GetSuiteAsync(channel, (string)created["suite_id"]!);
        var settings = await Catalog.GetSuiteAsync(channel, (string)created["suite_id"]!, omitItems: true);

        Assert.Equal(new Dictionary<string, double> { ["latency_ms"] = 0.1, ["accuracy"] = 0.02 }, full.RegressionThresholds);
        Assert.Equal(full.RegressionThresholds, settings.RegressionThresholds);
        Assert.Equal([2, 1], full.Benchmarks.Select(b => b.Items.Count));
        Assert.Equal(["arithmetic", "text"], settings.Benchmarks.Select(b => b.Name));
        Assert.All(settings.Benchmarks, b => Assert.Empty(b.Items));
    }

    [Fact]
    public async Task GetSuiteCarriesTheSpecificationsFields()
    {
        await using var app = new SuitesApp(infrastructure, "grpc");
        var client = app.CreateClient().WithCaller();
        var (agentId, judgeId) = await SpecificationSuiteTests.RegisterAgentsAsync(client);
        var created = await (await client.PostAsync("/suites", Json(SpecificationSuiteTests.Example(agentId, judgeId)))).ReadObjectAsync();
        using var channel = Channel(app);

        var suite = await Catalog.GetSuiteAsync(channel, (string)created["suite_id"]!);

        var baseline = Assert.Single(suite.BaselineScores);
        Assert.Equal(agentId, baseline.AgentId);
        Assert.Equal(new Dictionary<string, double> { ["accuracy_score"] = 0.85, ["overall_score"] = 0.7 }, baseline.Scores);
        var refunds = suite.Benchmarks[0];
        Assert.Equal(SpecificationSuiteTests.RefundsId, refunds.BenchmarkId);
        Assert.Equal("real_world", refunds.TestType);
        Assert.Equal(["accuracy_score", "speed_score", "latency_ms", "tokens_used"], refunds.MetricsMeasured);
        Assert.Equal(new Dictionary<string, double> { ["accuracy_score"] = 0.8, ["speed_score"] = 0.6 }, refunds.BaselineScores);
        Assert.Equal(
            new ConstraintsMessage
            {
                TimeoutSeconds = 30, TargetLatencyMs = 1000, TargetTokens = 1000, TargetCostUsd = 0.01,
                TimeLimitMs = 5000, MemoryLimitMb = 512, TokenLimit = 2000, CostLimitUsd = "0.5",
            },
            refunds.Constraints);
        Assert.False(refunds.Constraints.HasTotalTimeLimitMs);
        Assert.Equal(["r1", "r2", "r3"], refunds.Items.Select(i => i.Id));
        Assert.Equal(("30", 0, ""), (refunds.Items[0].Expected, refunds.Items[0].AcceptedOutputs.Count, refunds.Items[0].MessagesJson));
        Assert.Equal(["5", "five"], refunds.Items[1].AcceptedOutputs);
        Assert.Equal("5", refunds.Items[1].Expected);
        Assert.Equal("How many days does a refund take?", refunds.Items[1].Input);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [ { "role": "system", "content": "You are a support agent. Answer with a number." },
              { "role": "user", "content": "How many days does a refund take?" } ]
            """), JsonNode.Parse(refunds.Items[1].MessagesJson)));
        var tone = suite.Benchmarks[1];
        Assert.Equal(("edge_case", 20000, 600000L, 25), (tone.TestType, tone.Constraints.TimeLimitMs, tone.Constraints.TotalTimeLimitMs, tone.Constraints.TimeoutSeconds));
        Assert.False(tone.Constraints.HasTokenLimit || tone.Constraints.HasMemoryLimitMb || tone.Constraints.HasCostLimitUsd);
        Assert.Empty(tone.BaselineScores);
    }

    [Fact]
    public async Task GetAgentVersionCarriesTheAgentsWorkspace()
    {
        await using var app = new SuitesApp(infrastructure, "grpc");
        var (agentId, _) = await SpecificationSuiteTests.RegisterAgentsAsync(app.CreateClient().WithCaller());
        using var channel = Channel(app);

        Assert.Equal("default", (await Catalog.GetAgentVersionAsync(channel, agentId, "")).WorkspaceId);
    }

    [Fact]
    public async Task GetAgentVersionReturnsTheEffectiveEndpointPricingAndCredential()
    {
        await using var app = new SuitesApp(infrastructure, "grpc");
        var client = app.CreateClient().WithCaller();
        var agent = await (await client.PostAsync("/agents", Json("""
            {
              "name": "support-bot", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://127.0.0.1:5161/json",
              "api_key": "sk-abc", "pricing": { "input_per_million_usd": 0.5, "output_per_million_usd": 1.5, "per_call_usd": 0.0001 },
              "versions": [
                { "version": "1.0", "model_configuration": { "model": "a" } },
                { "version": "1.1", "model_configuration": { "model": "b" }, "endpoint": "http://127.0.0.1:5161/json-v2",
                  "pricing": { "per_call_usd": 0.25 } }
              ]
            }
            """))).ReadObjectAsync();
        var agentId = (string)agent["agent_id"]!;
        using var channel = Channel(app);

        var first = await Catalog.GetAgentVersionAsync(channel, agentId, "1.0");
        var latest = await Catalog.GetAgentVersionAsync(channel, agentId, "");
        // The credential travels encrypted; a service on the same key ring (the Runner) decrypts it.
        await using var runner = await KeyRingHost.StartAsync(app.ConnectionString, KeyRingAccess.ReadsKeys);

        Assert.Equal(agentId, first.AgentId);
        Assert.Equal("support-bot", first.AgentName);
        Assert.Equal("http-json", first.Protocol);
        Assert.Equal("http://127.0.0.1:5161/json", first.Endpoint);
        Assert.Equal(("0.5", "1.5", "0.0001"), (first.InputPerMillionUsd, first.OutputPerMillionUsd, first.PerCallUsd));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "model": "a" }"""), JsonNode.Parse(first.ModelConfigurationJson)));
        Assert.DoesNotContain("sk-abc", first.ProtectedApiKey, StringComparison.Ordinal);
        Assert.Equal("sk-abc", runner.Credentials.Unprotect(first.ProtectedApiKey));

        Assert.Equal("1.1", latest.Version);
        Assert.Equal("http://127.0.0.1:5161/json-v2", latest.Endpoint);
        Assert.Equal("sk-abc", runner.Credentials.Unprotect(latest.ProtectedApiKey)); // another path on the key's origin
        Assert.Equal(("0.5", "1.5", "0.25"), (latest.InputPerMillionUsd, latest.OutputPerMillionUsd, latest.PerCallUsd));

        // A version added later becomes the latest.
        (await client.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "0.9-hotfix" }"""))).EnsureSuccessStatusCode();
        Assert.Equal("0.9-hotfix", (await Catalog.GetAgentVersionAsync(channel, agentId, "")).Version);
    }

    [Fact]
    public async Task GetAgentVersionWithholdsTheApiKeyFromAVersionOnAnotherOrigin()
    {
        await using var app = new SuitesApp(infrastructure, "grpc");
        var agentId = (string)(await (await app.CreateClient().WithCaller().PostAsync("/agents", Json("""
            {
              "name": "support-bot", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://127.0.0.1:5161/json",
              "api_key": "sk-abc", "versions": [ { "version": "1.0" } ]
            }
            """))).ReadObjectAsync())["agent_id"]!;

        // The API refuses such a version (422); this one is written around it, as a row from before that rule would be.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SuitesDbContext>();
            var agent = await db.Agents.Include(a => a.Versions).SingleAsync(a => a.AgentId == Guid.Parse(agentId));
            agent.Versions.Add(new AgentVersion
            {
                AgentId = agent.AgentId, Version = "evil", Ordinal = 1, Endpoint = "https://attacker.example/collect", CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        using var channel = Channel(app);
        var evil = await Catalog.GetAgentVersionAsync(channel, agentId, "evil");
        var good = await Catalog.GetAgentVersionAsync(channel, agentId, "1.0");

        Assert.Equal("https://attacker.example/collect", evil.Endpoint);
        Assert.Equal("", evil.ProtectedApiKey);
        await using var runner = await KeyRingHost.StartAsync(app.ConnectionString, KeyRingAccess.ReadsKeys);
        Assert.Equal("sk-abc", runner.Credentials.Unprotect(good.ProtectedApiKey));
    }

    [Fact]
    public async Task GetAgentReturnsTheAgentWithItsVersionsOldestFirst()
    {
        await using var app = new SuitesApp(infrastructure, "grpc");
        var client = app.CreateClient().WithCaller();
        var agentId = (string)(await (await client.PostAsync("/agents", Json("""
            {
              "name": "support-bot", "workspace_id": "default", "protocol": "openai-chat", "endpoint": "http://127.0.0.1:5161/v1",
              "versions": [ { "version": "1.0" }, { "version": "1.1" } ]
            }
            """))).ReadObjectAsync())["agent_id"]!;
        (await client.PostAsync($"/agents/{agentId}/versions", Json("""{ "version": "0.9-hotfix" }"""))).EnsureSuccessStatusCode();
        var bare = (string)(await (await client.PostAsync("/agents", Json("""
            { "name": "bare", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://b" }
            """))).ReadObjectAsync())["agent_id"]!;
        using var channel = Channel(app);

        var agent = await Catalog.GetAgentAsync(channel, agentId);
        var withoutVersions = await Catalog.GetAgentAsync(channel, bare);

        Assert.Equal(agentId, agent.AgentId);
        Assert.Equal("support-bot", agent.AgentName);
        Assert.Equal("default", agent.WorkspaceId);
        Assert.Equal("openai-chat", agent.Protocol);
        Assert.Equal(["1.0", "1.1", "0.9-hotfix"], agent.Versions);
        // An agent registered without versions is still an agent.
        Assert.Equal("bare", withoutVersions.AgentName);
        Assert.Empty(withoutVersions.Versions);

        // Listed oldest first, each as GetAgent answers it.
        var listed = await Catalog.ListAgentsAsync(channel);
        Assert.Equal([agent, withoutVersions], listed.Agents);
    }

    [Fact]
    public async Task UnknownIdsAndVersionsAreNotFound()
    {
        await using var app = new SuitesApp(infrastructure, "grpc");
        var client = app.CreateClient().WithCaller();
        var withVersion = (string)(await (await client.PostAsync("/agents", Json("""
            { "name": "a", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://a", "versions": [ { "version": "1" } ] }
            """))).ReadObjectAsync())["agent_id"]!;
        var withoutVersions = (string)(await (await client.PostAsync("/agents", Json("""
            { "name": "b", "workspace_id": "default", "protocol": "http-json", "endpoint": "http://b" }
            """))).ReadObjectAsync())["agent_id"]!;
        using var channel = Channel(app);

        async Task AssertNotFound(Func<Task> call) =>
            Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);

        await AssertNotFound(() => Catalog.GetSuiteAsync(channel, Guid.NewGuid().ToString()));
        await AssertNotFound(() => Catalog.GetSuiteAsync(channel, "not-a-guid"));
        await AssertNotFound(() => Catalog.GetAgentVersionAsync(channel, Guid.NewGuid().ToString(), ""));
        await AssertNotFound(() => Catalog.GetAgentVersionAsync(channel, "", "1"));
        await AssertNotFound(() => Catalog.GetAgentVersionAsync(channel, withVersion, "2"));
        await AssertNotFound(() => Catalog.GetAgentVersionAsync(channel, withoutVersions, ""));
        await AssertNotFound(() => Catalog.GetAgentAsync(channel, Guid.NewGuid().ToString()));
        await AssertNotFound(() => Catalog.GetAgentAsync(channel, "not-a-guid"));
    }

    internal static GrpcChannel Channel(SuitesApp app) =>
        GrpcChannel.ForAddress(app.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = app.Server.CreateHandler() });

    /// <summary>
    /// A client for the catalog built from the service's generated messages: the service compiles the .proto
    /// as a server only, and compiling it again here would declare the same types twice.
    /// </summary>
    internal static class Catalog
    {
        private const string Service = "benchmesh.suites.v1.SuiteCatalog";

        private static readonly Method<GetSuiteRequest, SuiteMessage> GetSuite = new(
            MethodType.Unary, Service, "GetSuite", Marshal(GetSuiteRequest.Parser), Marshal(SuiteMessage.Parser));

        private static readonly Method<GetAgentVersionRequest, AgentVersionMessage> GetAgentVersion = new(
            MethodType.Unary, Service, "GetAgentVersion", Marshal(GetAgentVersionRequest.Parser), Marshal(AgentVersionMessage.Parser));

        private static readonly Method<GetAgentRequest, AgentMessage> GetAgent = new(
            MethodType.Unary, Service, "GetAgent", Marshal(GetAgentRequest.Parser), Marshal(AgentMessage.Parser));

        private static readonly Method<ListAgentsRequest, ListAgentsResponse> ListAgents = new(
            MethodType.Unary, Service, "ListAgents", Marshal(ListAgentsRequest.Parser), Marshal(ListAgentsResponse.Parser));

        public static async Task<ListAgentsResponse> ListAgentsAsync(GrpcChannel channel) =>
            await channel.CreateCallInvoker().AsyncUnaryCall(ListAgents, null, new CallOptions(), new ListAgentsRequest());

        public static async Task<SuiteMessage> GetSuiteAsync(GrpcChannel channel, string suiteId, bool omitItems = false) =>
            await channel.CreateCallInvoker().AsyncUnaryCall(GetSuite, null, new CallOptions(), new GetSuiteRequest { SuiteId = suiteId, OmitItems = omitItems });

        public static async Task<AgentVersionMessage> GetAgentVersionAsync(GrpcChannel channel, string agentId, string version, Metadata? headers = null) =>
            await channel.CreateCallInvoker().AsyncUnaryCall(
                GetAgentVersion, null, new CallOptions(headers), new GetAgentVersionRequest { AgentId = agentId, Version = version });

        public static async Task<AgentMessage> GetAgentAsync(GrpcChannel channel, string agentId) =>
            await channel.CreateCallInvoker().AsyncUnaryCall(GetAgent, null, new CallOptions(), new GetAgentRequest { AgentId = agentId });

        private static Marshaller<T> Marshal<T>(MessageParser<T> parser) where T : IMessage<T> =>
            Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
    }
}
