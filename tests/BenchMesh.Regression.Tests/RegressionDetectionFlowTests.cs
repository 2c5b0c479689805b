using BenchMesh.Regression.Data;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Regression.Tests;

/// <summary>ExecutionScored in, RegressionDetected out, through the real RabbitMQ and PostgreSQL.</summary>
public sealed class RegressionDetectionFlowTests(RegressionServiceFixture service) : IClassFixture<RegressionServiceFixture>
{
    private const string Exchange = "BenchMesh.Contracts.Regression:RegressionDetected";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Two_versions_scored_at_the_same_moment_are_still_compared()
    {
        // Two versions of each agent run side by side: their executions arrive together, the newer version's
        // first, and may be consumed concurrently. Each candidate must still be judged against its baseline.
        await using var probe = await ExchangeProbe.BindAsync(service.RabbitMqUri, Exchange);
        var bus = service.App.Services.GetRequiredService<IBus>();
        var benchmarkId = Guid.NewGuid();
        var agents = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToList();
        var t = Executions.Start;

        await Task.WhenAll(agents.SelectMany(agent => new[]
        {
            bus.Publish(Executions.Scored(agent, "2.0", benchmarkId, "arithmetic", t.AddSeconds(1), latencyMs: 90)),
            bus.Publish(Executions.Scored(agent, "1.0", benchmarkId, "arithmetic", t, latencyMs: 30)),
        }));

        var raisedFor = new HashSet<Guid>();
        while (raisedFor.Count < agents.Count)
        {
            var received = await probe.NextAsync(Timeout, $"RegressionDetected for every agent ({raisedFor.Count} of {agents.Count} so far)");
            raisedFor.Add(received.Message.GetProperty("agentId").GetGuid());
        }

        Assert.True(agents.ToHashSet().SetEquals(raisedFor));
    }

    [Fact]
    public async Task A_slower_version_raises_one_RegressionDetected_and_improvements_or_redeliveries_raise_nothing()
    {
        await using var probe = await ExchangeProbe.BindAsync(service.RabbitMqUri, Exchange);
        var bus = service.App.Services.GetRequiredService<IBus>();
        var agentId = Guid.NewGuid();
        var benchmarkId = Guid.NewGuid();
        var t = Executions.Start;

        var v1 = Executions.Scored(agentId, "1.0", benchmarkId, "arithmetic", t, latencyMs: 30.1);
        await bus.Publish(v1);
        await WaitUntilStoredAsync(v1.ExecutionId);

        var v2 = Executions.Scored(agentId, "2.0", benchmarkId, "arithmetic", t.AddHours(1), latencyMs: 92.4);
        await bus.Publish(v2);
        var received = await probe.NextAsync(Timeout, "RegressionDetected for version 2.0");

        Assert.Equal("application/vnd.masstransit+json", received.ContentType);
        var message = received.Message;
        Assert.Equal("latency_ms", message.GetProperty("metric").GetString());
        Assert.Equal("lower_is_better", message.GetProperty("direction").GetString());
        Assert.Equal(2, message.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("2.0", message.GetProperty("candidateVersion").GetString());
        Assert.Equal("1.0", message.GetProperty("baselineVersion").GetString());
        Assert.Equal("2.0", message.GetProperty("blamedVersion").GetString());
        Assert.Equal("gate", message.GetProperty("path").GetString());
        Assert.InRange(message.GetProperty("baselineValue").GetDouble(), 29.5, 30.7);
        Assert.InRange(message.GetProperty("currentValue").GetDouble(), 90.5, 94.3);
        // Latency ×3.07 (+207 %): the Hodges-Lehmann ratio with its 95 % interval, all well above the 3 % threshold.
        var effect = message.GetProperty("effect");
        Assert.InRange(effect.GetProperty("estimate").GetDouble(), 1.95, 2.2);
        Assert.True(effect.GetProperty("lower").GetDouble() > 1.8);
        Assert.True(effect.GetProperty("upper").GetDouble() >= effect.GetProperty("estimate").GetDouble());
        Assert.InRange(message.GetProperty("regressionPercentage").GetDouble(), 1.95, 2.2);
        Assert.True(message.GetProperty("pValue").GetDouble() <= 1e-3);
        Assert.True(message.GetProperty("qValue").GetDouble() <= 0.05);
        Assert.Equal(Executions.Passes, message.GetProperty("candidateRuns").GetInt32());
        Assert.Equal(Executions.Passes, message.GetProperty("baselineRuns").GetInt32());
        Assert.True(message.GetProperty("minimumDetectableEffect").GetDouble() > 0);
        Assert.Equal("critical", message.GetProperty("severity").GetString());
        Assert.Equal(agentId, message.GetProperty("agentId").GetGuid());
        Assert.Equal(benchmarkId, message.GetProperty("benchmarkId").GetGuid());
        Assert.Equal(v2.ExecutionId, message.GetProperty("executionId").GetGuid());
        Assert.Equal("benchmesh-engine", message.GetProperty("detector").GetString());

        // The same v2 delivered again, then a v3 that is faster than v2: neither may raise anything.
        await bus.Publish(v2);
        var v3 = Executions.Scored(agentId, "3.0", benchmarkId, "arithmetic", t.AddHours(2), latencyMs: 25);
        await bus.Publish(v3);
        await WaitUntilStoredAsync(v3.ExecutionId);
        await Eventually.TrueAsync(
            () => service.WithDbAsync(db => db.OutboxMessages.AllAsync(m => m.SentAt != null)), Timeout, "the outbox to drain");

        Assert.Null(await probe.TryGetAsync());
        var regressions = await service.WithDbAsync(db => db.Regressions.Where(r => r.AgentId == agentId).ToListAsync());
        var only = Assert.Single(regressions);
        Assert.Equal(v2.ExecutionId, only.ExecutionId);
        Assert.Equal(v1.ExecutionId, only.BaselineExecutionId);
        Assert.Equal(3, await service.WithDbAsync(db => db.VersionResults.CountAsync(r => r.AgentId == agentId)));
    }

    [Fact]
    public async Task Every_regressed_metric_of_an_execution_is_published()
    {
        await using var probe = await ExchangeProbe.BindAsync(service.RabbitMqUri, Exchange);
        var bus = service.App.Services.GetRequiredService<IBus>();
        var agentId = Guid.NewGuid();
        var benchmarkId = Guid.NewGuid();

        var v1 = Executions.Scored(agentId, "1.0", benchmarkId, "qa", Executions.Start, accuracy: 0.9, costPerTask: 0.001);
        await bus.Publish(v1);
        await WaitUntilStoredAsync(v1.ExecutionId);
        await bus.Publish(Executions.Scored(agentId, "1.1", benchmarkId, "qa", Executions.Start.AddHours(1), accuracy: 0.6, costPerTask: 0.00125));

        var first = await probe.NextAsync(Timeout, "the first regression");
        var second = await probe.NextAsync(Timeout, "the second regression");

        var metrics = new[] { first, second }.Select(m => m.Message.GetProperty("metric").GetString()).Order().ToList();
        Assert.Equal(["accuracy", "cost_per_task_usd"], metrics);
        Assert.Null(await probe.TryGetAsync());
    }

    [Fact]
    public async Task An_A_A_rerun_under_a_new_version_raises_nothing()
    {
        await using var probe = await ExchangeProbe.BindAsync(service.RabbitMqUri, Exchange);
        var bus = service.App.Services.GetRequiredService<IBus>();
        var agentId = Guid.NewGuid();
        var benchmarks = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };

        // Three benchmarks, the same agent behaviour under versions 1.0 and 1.0.1: only the noise differs.
        var executions = benchmarks.SelectMany((b, i) => new[]
        {
            Executions.Scored(agentId, "1.0", b, $"bench-{i}", Executions.Start.AddMinutes(i)),
            Executions.Scored(agentId, "1.0.1", b, $"bench-{i}", Executions.Start.AddHours(1).AddMinutes(i)),
        }).ToList();
        foreach (var execution in executions)
        {
            await bus.Publish(execution);
            await WaitUntilStoredAsync(execution.ExecutionId);
        }

        await Eventually.TrueAsync(
            () => service.WithDbAsync(db => db.OutboxMessages.AllAsync(m => m.SentAt != null)), Timeout, "the outbox to drain");
        Assert.Null(await probe.TryGetAsync());
        Assert.Equal(0, await service.WithDbAsync(db => db.Regressions.CountAsync(r => r.AgentId == agentId)));
    }

    private Task WaitUntilStoredAsync(Guid executionId) =>
        Eventually.TrueAsync(
            () => service.WithDbAsync(db => db.VersionResults.AnyAsync(r => r.ExecutionId == executionId)),
            Timeout, $"execution {executionId} to be stored");
}
