using BenchMesh.Contracts.Runs;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Runner.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Consumers;

/// <summary>
/// Records a benchmark's scores on its run and completes the run when the last one arrives. Replicas may score
/// benchmarks of the same run at once, so the run row is locked (<c>FOR UPDATE</c>) for the whole update: the
/// check "is this execution still pending", the count and the completion are then serialized per run. A
/// redelivered score finds its execution no longer pending and changes nothing.
/// </summary>
public sealed class ExecutionScoredConsumer(RunnerDbContext db, TimeProvider time, ILogger<ExecutionScoredConsumer> logger)
    : IConsumer<ExecutionScored>
{
    public async Task Consume(ConsumeContext<ExecutionScored> context)
    {
        var message = context.Message;
        var ct = context.CancellationToken;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var run = await db.Runs
            .FromSql($"SELECT * FROM runner.runs WHERE run_id = {message.RunId} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        if (run is null)
        {
            // Scores of executions this runner did not start (another deployment, a stress run): not ours.
            logger.LogDebug("Ignoring scores of execution {ExecutionId}: run {RunId} is unknown", message.ExecutionId, message.RunId);
            return;
        }

        var entry = await db.RunBenchmarks.SingleOrDefaultAsync(b => b.ExecutionId == message.ExecutionId && b.RunId == run.RunId, ct);
        if (entry is null || entry.Status != RunStatuses.Pending)
        {
            return;
        }

        var now = time.GetUtcNow();
        entry.Status = message.Status == RunStatuses.Failed ? RunStatuses.Failed : RunStatuses.Completed;
        entry.AccuracyScore = message.Scores.AccuracyScore;
        entry.SpeedScore = message.Scores.SpeedScore;
        entry.EfficiencyScore = message.Scores.EfficiencyScore;
        entry.CostScore = message.Scores.CostScore;
        entry.ReliabilityScore = message.Scores.ReliabilityScore;
        entry.OverallScore = message.Scores.OverallScore;
        entry.TokensUsed = message.Metrics.TokensUsed;
        entry.ApiCallsMade = message.Metrics.ApiCallsMade;
        entry.CostUsd = message.Metrics.TotalCostUsd;
        entry.MedianLatencyMs = message.Metrics.MedianLatencyMs;
        entry.ScoredAt = message.ScoredAt;

        run.CompletedBenchmarks++;
        if (run.Status == RunStatuses.Queued)
        {
            run.Status = RunStatuses.Running;
            run.StartedAt ??= now;
        }

        if (run.CompletedBenchmarks >= run.TotalBenchmarks)
        {
            Complete(run, await db.RunBenchmarks.Where(b => b.RunId == run.RunId).ToListAsync(ct), now);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private void Complete(Run run, IReadOnlyList<RunBenchmarkEntry> benchmarks, DateTimeOffset now)
    {
        run.Status = benchmarks.Any(b => b.Status == RunStatuses.Failed) ? RunStatuses.Failed : RunStatuses.Completed;
        run.CompletedAt = now;
        run.AccuracyScore = benchmarks.Average(b => b.AccuracyScore ?? 0);
        run.SpeedScore = benchmarks.Average(b => b.SpeedScore ?? 0);
        run.EfficiencyScore = benchmarks.Average(b => b.EfficiencyScore ?? 0);
        run.CostScore = benchmarks.Average(b => b.CostScore ?? 0);
        run.ReliabilityScore = benchmarks.Average(b => b.ReliabilityScore ?? 0);
        run.OverallScore = benchmarks.Average(b => b.OverallScore ?? 0);

        db.AddOutboxMessage(new SuiteRunCompleted
        {
            RunId = run.RunId,
            AgentId = run.AgentId,
            AgentVersion = run.AgentVersion,
            SuiteId = run.SuiteId,
            Status = run.Status,
            Benchmarks = run.TotalBenchmarks,
            OverallScore = run.OverallScore.Value,
            CompletedAt = now,
        });
        logger.LogInformation("Run {RunId} {Status}: overall score {OverallScore:0.###}", run.RunId, run.Status, run.OverallScore);
    }
}
