using System.Text.Json;
using BenchMesh.Scoring.Data;
using BenchMesh.Scoring.Scoring;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Scoring.CostAnalysis;

/// <summary>The cost analysis's reads of <c>benchmark_executions</c> and <c>execution_samples</c>.</summary>
public static class CostExecutionQueries
{
    /// <summary>
    /// Per agent, version, model configuration and benchmark of <paramref name="scope"/>: the latest successful execution
    /// and, apart, the latest other one (terminated or failed). PostgreSQL picks them (ROW_NUMBER over the groups), so
    /// only those rows are read however many executions the agent has.
    /// </summary>
    public static async Task<List<CostExecution>> LatestAsync(IQueryable<BenchmarkExecution> scope, CancellationToken ct)
    {
        var rows = await scope
            .GroupBy(e => new { e.AgentId, e.AgentVersion, e.ModelConfiguration, e.BenchmarkId, Succeeded = e.Status == BenchmarkExecutionStatuses.Success })
            .Select(g => g.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.ExecutionId).First())
            .ToListAsync(ct);

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
