using BenchMesh.Contracts.Scoring;
using BenchMesh.Regression.Consumers;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Regression.Tests;

/// <summary>
/// The history a judgement keeps in memory (AgentHistoryCache: rows, pooled runs, the engine's checkpoint) changes no
/// stored outcome: two agents are sent the same executions, one judged with what its previous judgement kept, the other
/// with that forgotten before every message (a fresh consumer: the whole history read and judged from its first
/// version), and after every message their verdicts, regressions and confirmation requests are the same — through new
/// executions of the newest version, an execution scored before one already pooled, a late older version and new versions.
/// </summary>
public sealed class HistoryCacheTests(RegressionServiceFixture service) : IClassFixture<RegressionServiceFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Judgements_from_the_cached_history_store_what_judgements_from_scratch_store()
    {
        var bus = service.App.Services.GetRequiredService<IBus>();
        var cache = service.App.Services.GetRequiredService<AgentHistoryCache>();
        var (cached, cold) = (Guid.NewGuid(), Guid.NewGuid());
        var (qa, math) = (Guid.NewGuid(), Guid.NewGuid());
        var t = Executions.Start;
        var sequence = new List<(string Version, Guid Benchmark, string Name, DateTimeOffset At, double LatencyMs)>
        {
            ("1.0", qa, "qa", t, 30), ("1.0", math, "math", t.AddMinutes(1), 30),
            ("1.1", qa, "qa", t.AddHours(1), 30), ("1.1", math, "math", t.AddHours(1).AddMinutes(1), 30),
            ("1.2", qa, "qa", t.AddHours(2), 30), ("1.2", math, "math", t.AddHours(2).AddMinutes(1), 31),
            ("1.3", qa, "qa", t.AddHours(3), 45), ("1.3", math, "math", t.AddHours(3).AddMinutes(1), 30),
            // A new execution of the newest version: its new rows only, the engine from its checkpoint.
            ("1.3", qa, "qa", t.AddHours(3).AddMinutes(10), 45),
            ("1.4", qa, "qa", t.AddHours(4), 45), ("1.4", math, "math", t.AddHours(4).AddMinutes(1), 31),
            // Scored before the one of its cell already pooled: that cell is pooled again from the whole history.
            ("1.4", math, "math", t.AddHours(4).AddMinutes(-5), 30),
            // A late older version, between 1.2 and 1.3: the checkpoint no longer holds, the engine starts over.
            ("1.2.5", qa, "qa", t.AddHours(2).AddMinutes(30), 30), ("1.2.5", math, "math", t.AddHours(2).AddMinutes(31), 30),
            ("1.5", qa, "qa", t.AddHours(5), 45), ("1.5", math, "math", t.AddHours(5).AddMinutes(1), 60),
            ("1.5", math, "math", t.AddHours(5).AddMinutes(10), 60),
            ("1.5", qa, "qa", t.AddHours(5).AddMinutes(11), 46),
        };
        var ids = new Dictionary<Guid, Guid>();
        var reusedBefore = cache.Reused;

        foreach (var (version, benchmark, name, at, latency) in sequence)
        {
            var first = Executions.Scored(cached, version, benchmark, name, at, latencyMs: latency);
            await bus.Publish(first);
            await WaitUntilStoredAsync(first.ExecutionId);

            cache.Remove(cold);
            var second = Executions.Scored(cold, version, benchmark, name, at, latencyMs: latency);
            ids[second.ExecutionId] = first.ExecutionId;
            ids[second.RunId] = first.RunId;
            await bus.Publish(second);
            await WaitUntilStoredAsync(second.ExecutionId);
            cache.Remove(cold);

            var expected = await StoredAsync(cold, ids);
            var actual = await StoredAsync(cached, []);
            Assert.Equal(expected.Verdicts, actual.Verdicts);
            Assert.Equal(expected.Regressions, actual.Regressions);
            Assert.Equal(expected.Requests, actual.Requests);
        }

        var final = await StoredAsync(cached, []);
        // The sequence raised regressions and kept verdicts (so the comparison above compared something), and the cached
        // agent's judgements after its first did reuse what the one before kept.
        Assert.Contains(final.Regressions, r => r.Contains("/latency_ms/1.3/", StringComparison.Ordinal));
        Assert.Contains(final.Regressions, r => r.Contains("/latency_ms/1.5/", StringComparison.Ordinal));
        Assert.Equal(2 * 5, final.Verdicts.Count(v => v.StartsWith("1.5/", StringComparison.Ordinal)));
        Assert.True(cache.Reused - reusedBefore >= sequence.Count - 1, $"{cache.Reused - reusedBefore} judgements reused the cache");
        Assert.NotNull(cache.Get(cached)?.Checkpoint);
    }

    /// <summary>The agent's stored outcomes as text, ids of the other agent's executions and runs mapped through <paramref name="ids"/>.</summary>
    private Task<(List<string> Verdicts, List<string> Regressions, List<string> Requests)> StoredAsync(Guid agentId, Dictionary<Guid, Guid> ids) =>
        service.WithDbAsync(async db =>
        {
            string Map(string? text) => ids.Aggregate(text ?? "", (s, id) => s.Replace(id.Key.ToString(), id.Value.ToString(), StringComparison.OrdinalIgnoreCase));
            Guid Id(Guid id) => ids.GetValueOrDefault(id, id);
            var verdicts = (await db.Verdicts.AsNoTracking().Where(v => v.AgentId == agentId).ToListAsync())
                .Select(v => $"{v.AgentVersion}/{v.BenchmarkId}/{v.Metric}: {v.Verdict} {v.VersionsJudged} {v.DecisionLevel} {v.EffectEstimate:R} {v.EffectLower:R} {v.EffectUpper:R} "
                    + $"{v.PValue:R} {v.QValue:R} {v.MinimumDetectableEffect:R} {v.AdditionalRuns} {v.Confirmation} {v.Reason} {Map(v.RegressionJson)}")
                .Order(StringComparer.Ordinal).ToList();
            var regressions = (await db.Regressions.AsNoTracking().Where(r => r.AgentId == agentId).ToListAsync())
                .Select(r => $"{r.BenchmarkId}/{r.Metric}/{r.BlamedVersion}/: {r.CandidateVersion} {r.BaselineVersion} {r.Path} {r.Severity} {r.BaselineValue:R} {r.CurrentValue:R} "
                    + $"{r.RegressionPercentage:R} {r.EffectLower:R} {r.EffectUpper:R} {r.PValue:R} {r.QValue:R} {r.MinimumDetectableEffect:R} {r.CandidateRuns} {r.BaselineRuns} "
                    + $"{Id(r.ExecutionId)} {Id(r.BaselineExecutionId)} {Id(r.RunId)} {r.ImpactAnalysis}")
                .Order(StringComparer.Ordinal).ToList();
            var requests = (await db.ConfirmationRequests.AsNoTracking().Where(r => r.AgentId == agentId).ToListAsync())
                .Select(r => $"{r.AgentVersion}/{r.BenchmarkId}: {r.Metrics} {r.BaselineVersion} {r.Rounds} {r.AdditionalRuns}")
                .Order(StringComparer.Ordinal).ToList();
            return (verdicts, regressions, requests);
        });

    private Task WaitUntilStoredAsync(Guid executionId) =>
        Eventually.TrueAsync(
            () => service.WithDbAsync(db => db.VersionResults.AnyAsync(r => r.ExecutionId == executionId)),
            Timeout, $"execution {executionId} to be stored");
}
