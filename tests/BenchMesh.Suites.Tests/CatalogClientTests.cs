extern alias catalog;

using BenchMesh.Testing;
using catalog::BenchMesh.Catalog;
using static BenchMesh.Suites.Tests.HttpAssertions;
using SuiteCatalogClient = catalog::BenchMesh.Contracts.Grpc.Suites.SuiteCatalog.SuiteCatalogClient;

namespace BenchMesh.Suites.Tests;

/// <summary>What the Runner reads: the suite and agent as <see cref="GrpcSuiteCatalog"/> maps them from this service.</summary>
public sealed class CatalogClientTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    [Fact]
    public async Task TheBenchmarkDefinitionCarriesTestTypeMetricsLimitsAnswersMessagesAndBaselines()
    {
        await using var app = new SuitesApp(infrastructure, "catalog");
        var client = app.CreateClient().WithCaller();
        var (agentId, judgeId) = await SpecificationSuiteTests.RegisterAgentsAsync(client);
        var created = await (await client.PostAsync("/suites", Json(SpecificationSuiteTests.Example(agentId, judgeId)))).ReadObjectAsync();
        using var channel = CatalogGrpcTests.Channel(app);
        var catalog = new GrpcSuiteCatalog(new SuiteCatalogClient(channel));

        var suite = (await catalog.GetSuiteAsync(Guid.Parse((string)created["suite_id"]!), CancellationToken.None))!;
        var agent = (await catalog.GetAgentVersionAsync(Guid.Parse(agentId), null, CancellationToken.None))!;

        var refunds = suite.Benchmarks[0];
        Assert.Equal(Guid.Parse(SpecificationSuiteTests.RefundsId), refunds.BenchmarkId);
        Assert.Equal("real_world", refunds.TestType);
        Assert.Equal(["accuracy_score", "speed_score", "latency_ms", "tokens_used"], refunds.MetricsMeasured);
        Assert.Equal((5000, (long?)null, 512.0, 2000L, 0.5m), (refunds.Constraints.TimeLimitMs, refunds.Constraints.TotalTimeLimitMs,
            refunds.Constraints.MemoryLimitMb, refunds.Constraints.TokenLimit, refunds.Constraints.CostLimitUsd));
        // The benchmark's own baseline first (no agent), then the suite's per agent.
        Assert.Equal(2, refunds.Baselines.Count);
        Assert.Null(refunds.Baselines[0].AgentId);
        Assert.Equal(new Dictionary<string, double> { ["accuracy_score"] = 0.8, ["speed_score"] = 0.6 }, refunds.Baselines[0].Scores);
        Assert.Equal(agentId, refunds.Baselines[1].AgentId);
        Assert.Equal(0.85, refunds.Baselines[1].Scores["accuracy_score"]);
        Assert.Null(refunds.Items[0].AcceptedOutputs);
        Assert.Null(refunds.Items[0].MessagesJson);
        Assert.Equal(["5", "five"], refunds.Items[1].AcceptedOutputs!);
        Assert.Contains("\"system\"", refunds.Items[1].MessagesJson!, StringComparison.Ordinal);
        Assert.Equal("How many days does a refund take?", refunds.Items[1].Input);

        var tone = suite.Benchmarks[1];
        Assert.Equal(("edge_case", 20000, (long?)600000, (long?)null, (decimal?)null), (tone.TestType, tone.Constraints.TimeLimitMs,
            tone.Constraints.TotalTimeLimitMs, tone.Constraints.TokenLimit, tone.Constraints.CostLimitUsd));
        // Only the suite's baseline applies to a benchmark that states none of its own.
        Assert.Equal([agentId], tone.Baselines.Select(b => b.AgentId));

        Assert.Equal("default", agent.Snapshot.WorkspaceId);
    }
}
