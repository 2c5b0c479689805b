using System.Text.Json;
using BenchMesh.Scoring.Apis;
using BenchMesh.Scoring.Data;
using BenchMesh.Scoring.Scoring;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>The cost analysis's reads of <c>benchmark_executions</c> and <c>execution_samples</c>.</summary>
public static class CostExecutionQueries
{
    /// <summary>
    /// Per agent, version, model configuration and benchmark: the latest successful execution and, apart, the latest
    /// other one (terminated or failed), narrowed to an agent and/or a suite, or to the successful ones, and to the
    /// agents of <paramref name="visibleTo"/>'s workspace when given.
    /// </summary>
    public static async Task<List<CostExecution>> LatestAsync(
        ScoringDbContext db, Guid? agentId, Guid? suiteId, bool successfulOnly, Caller? visibleTo, CancellationToken ct)
    {
        // PostgreSQL's DISTINCT ON picks them in one sorted pass. (EF's GroupBy-First joins a ROW_NUMBER subquery back to
        // the groups on nullable keys; on 10,000 freshly written rows one such query took 34 s.) The filters composed on
        // top name DISTINCT ON columns only (agent_id, suite_id), so PostgreSQL pushes them below the sort and uses the
        // indexes (EXPLAIN: an index scan of the agent's rows, then the sort); the status filter applies to the picked
        // rows, which is the same since success is part of the key.
        // 'success' is BenchmarkExecutionStatuses.Success, written out because DISTINCT ON and ORDER BY must repeat one expression.
        var latest = db.BenchmarkExecutions.FromSql($"""
            SELECT DISTINCT ON (agent_id, agent_version, model_configuration, suite_id, benchmark_id, status = 'success') *
            FROM scoring.benchmark_executions
            ORDER BY agent_id, agent_version, model_configuration, suite_id, benchmark_id, status = 'success', created_at DESC, id
            """).AsNoTracking();
        if (agentId is { } agent)
        {
            latest = latest.Where(e => e.AgentId == agent);
        }

        if (suiteId is { } suite)
        {
            latest = latest.Where(e => e.SuiteId == suite);
        }

        if (visibleTo is not null)
        {
            // An agent's executions all carry its workspace, so this keeps or drops whole agents (a key of DISTINCT ON).
            latest = latest.VisibleTo(visibleTo);
        }

        if (successfulOnly)
        {
            latest = latest.Where(e => e.Status == BenchmarkExecutionStatuses.Success);
        }

        var rows = await latest.ToListAsync(ct);

        // One key object per configuration, so that its hash and model name are worked out once.
        var keys = new Dictionary<(string, string?), ConfigurationKey>();
        return rows.Select(r =>
        {
            if (!keys.TryGetValue((r.AgentVersion, r.ModelConfiguration), out var key))
            {
                keys[(r.AgentVersion, r.ModelConfiguration)] = key = new ConfigurationKey(r.AgentVersion, r.ModelConfiguration);
            }

            var (successful, failed) = Tasks(r);
            return new CostExecution
            {
                ExecutionId = r.ExecutionId, AgentId = r.AgentId, AgentName = r.AgentName, Configuration = key, SuiteId = r.SuiteId,
                BenchmarkId = r.BenchmarkId, BenchmarkName = r.BenchmarkName, Status = r.Status, TerminationReason = r.TerminationReason,
                CostUsd = r.CostUsd, SuccessfulTasks = successful, FailedTasks = failed, AccuracyScore = r.AccuracyScore,
                SpeedScore = r.SpeedScore, WarmupRuns = r.WarmupRuns, WarmupCostUsd = r.WarmupCostUsd ?? 0, JudgeCalls = r.JudgeCalls,
                JudgeCostUsd = r.JudgeCostUsd, CreatedAt = r.CreatedAt,
            };
        }).ToList();
    }

    /// <summary>Per execution of <paramref name="executionIds"/>, its failed calls that cost something.</summary>
    public static async Task<Dictionary<Guid, PaidFailures>> PaidFailuresAsync(
        ScoringDbContext db, IReadOnlyCollection<Guid> executionIds, CancellationToken ct) =>
        await db.ExecutionSamples.AsNoTracking()
            .Where(s => executionIds.Contains(s.ExecutionId) && s.ErrorKind != null && s.CostUsd > 0)
            .GroupBy(s => s.ExecutionId)
            .Select(g => new { g.Key, Calls = g.Count(), Cost = g.Sum(s => s.CostUsd) })
            .ToDictionaryAsync(x => x.Key, x => new PaidFailures(x.Calls, x.Cost), ct);

    /// <summary>
    /// Successful and failed measured calls, from the raw metrics' counts; rows whose metrics lack them (stored before
    /// the counts existed) fall back to calls × reliability, which is the same ratio.
    /// </summary>
    private static (int Successful, int Failed) Tasks(BenchmarkExecution r)
    {
        using var metrics = JsonDocument.Parse(r.Metrics);
        var root = metrics.RootElement;
        if (root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("samples", out var samples) && samples.TryGetInt32(out var all)
            && root.TryGetProperty("failed_samples", out var failedSamples) && failedSamples.TryGetInt32(out var failed))
        {
            return (all - failed, failed);
        }

        var successful = (int)Math.Round(r.ApiCallsMade * r.ReliabilityScore, MidpointRounding.AwayFromZero);
        return (successful, r.ApiCallsMade - successful);
    }
}
