using BenchMesh.Contracts.Runs;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Runner.Data;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Consumers;

/// <summary>
/// Records that one benchmark of a run has finished, scored (<see cref="ExecutionScoredConsumer"/>) or failed for good
/// (<see cref="BenchmarkFaultConsumer"/>), and completes the run when it was the last. Replicas may finish benchmarks
/// of the same run at once, so the run row is locked (<c>FOR UPDATE</c>) for the whole update: the check "is this
/// benchmark still pending", the count and the completion are then serialized per run. A redelivered message finds
/// its benchmark no longer pending and changes nothing, so each benchmark is counted once, whichever way it ended.
/// </summary>
public sealed class RunProgressRecorder(RunnerDbContext db, TimeProvider time, ILogger<RunProgressRecorder> logger)
{
    /// <summary>
    /// Applies <paramref name="finish"/> (which sets the benchmark's final status and what it learned) to the pending
    /// benchmark <paramref name="executionId"/> of run <paramref name="runId"/>, counts it, and completes the run
    /// (<see cref="SuiteRunCompleted"/> through the outbox) when every benchmark has finished. All in one transaction.
    /// </summary>
    /// <returns>False when nothing changed: the run is not this runner's, or the benchmark had already finished.</returns>
    public Task<bool> RecordAsync(Guid runId, Guid executionId, Action<RunBenchmarkEntry> finish, CancellationToken ct) =>
        // Under the execution strategy: a dropped connection runs the whole unit again, from the lock on.
        db.InTransactionAsync(async token =>
        {
            var run = await db.Runs
                .FromSql($"SELECT * FROM runner.runs WHERE run_id = {runId} FOR UPDATE")
                .SingleOrDefaultAsync(token);
            if (run is null)
            {
                // Executions this runner did not start (another deployment, a stress run): not ours.
                logger.LogDebug("Ignoring execution {ExecutionId}: run {RunId} is unknown", executionId, runId);
                return false;
            }

            var entry = await db.RunBenchmarks.SingleOrDefaultAsync(b => b.ExecutionId == executionId && b.RunId == run.RunId, token);
            if (entry is null || entry.Status != RunStatuses.Pending)
            {
                return false;
            }

            var now = time.GetUtcNow();
            finish(entry);
            run.CompletedBenchmarks++;
            if (run.Status == RunStatuses.Queued)
            {
                run.Status = RunStatuses.Running;
                run.StartedAt ??= now;
            }

            if (run.CompletedBenchmarks >= run.TotalBenchmarks)
            {
                Complete(run, await db.RunBenchmarks.Where(b => b.RunId == run.RunId).ToListAsync(token), now);
                // An interleaved confirmation's next run starts once this one has finished (A B A B, never overlapping).
                await ConfirmationRunsRequestedConsumer.StartNextStepAsync(db, run.RunId, now, logger, token);
            }

            await db.SaveChangesAsync(token);
            return true;
        }, ct);

    private void Complete(Run run, IReadOnlyList<RunBenchmarkEntry> benchmarks, DateTimeOffset now)
    {
        // A benchmark that failed without scores (its worker or Scoring gave up on it) counts as 0 in the averages.
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
            WorkspaceId = run.WorkspaceId,
        });
        logger.LogInformation("Run {RunId} {Status}: overall score {OverallScore:0.###}", run.RunId, run.Status, run.OverallScore);
    }
}
