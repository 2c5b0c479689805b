using BenchMesh.Contracts.Runs;
using BenchMesh.Messaging.Resilience;
using BenchMesh.Runner.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Consumers;

/// <summary>
/// A benchmark whose message ended in an <c>_error</c> queue will never be scored: without this consumer its run
/// would stay "running" forever. MassTransit publishes <see cref="Fault{T}"/> when a consumer has failed for good:
/// <c>Fault&lt;RunBenchmark&gt;</c> when a runner worker could not execute the benchmark (the worker has no retry, see
/// <see cref="Extensions"/>), <c>Fault&lt;BenchmarkExecuted&gt;</c> when Scoring could not score it. Either marks the
/// benchmark failed, with the cause in words (never an exception's type) and what retrying the run would do, and
/// completes the run if it was the last (<see cref="RunProgressRecorder"/>: a benchmark already scored or failed is left
/// alone, so a duplicate fault counts once).
/// </summary>
public sealed class BenchmarkFaultConsumer(RunProgressRecorder recorder, RunnerDbContext db, ILogger<BenchmarkFaultConsumer> logger)
    : IConsumer<Fault<RunBenchmark>>, IConsumer<Fault<BenchmarkExecuted>>
{
    public Task Consume(ConsumeContext<Fault<RunBenchmark>> context)
    {
        var command = context.Message.Message;
        var exception = context.Message.Exceptions?.FirstOrDefault();
        // The worker words its own failure to store paid results; anything else failed before the agent was called.
        var error = exception?.ExceptionType?.EndsWith(nameof(ResultsNotStoredException), StringComparison.Ordinal) == true
            ? exception.Message
            : $"The runner could not execute the benchmark: {TransientFailures.Describe(exception).TrimEnd('.')}. Retrying the run executes it again.";
        return FailAsync(command.RunId, command.ExecutionId, error, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<Fault<BenchmarkExecuted>> context)
    {
        var executed = context.Message.Message;
        var cause = TransientFailures.Describe(context.Message.Exceptions?.FirstOrDefault()).TrimEnd('.');
        var tried = context.Message.Timestamp - executed.CompletedAt;
        var stored = await db.BenchmarkResults.AnyAsync(r => r.ExecutionId == executed.ExecutionId, context.CancellationToken);
        var error = $"Scoring could not score the benchmark: {cause}"
            + (tried > TimeSpan.FromSeconds(30) ? $" (it kept trying for {TransientRetryOptions.DurationText(tried)})." : ".")
            + (stored ? " The agent's results are stored: retrying the run scores them again without calling the agent." : "");
        await FailAsync(executed.RunId, executed.ExecutionId, error, context.CancellationToken);
    }

    private async Task FailAsync(Guid runId, Guid executionId, string error, CancellationToken ct)
    {
        error = error.Length <= RunBenchmarkEntry.MaxErrorMessageLength ? error : error[..(RunBenchmarkEntry.MaxErrorMessageLength - 1)] + "…";
        var recorded = await recorder.RecordAsync(runId, executionId, entry =>
        {
            entry.Status = RunStatuses.Failed;
            entry.ErrorMessage = error;
        }, ct);

        if (recorded)
        {
            logger.LogWarning("Benchmark {ExecutionId} of run {RunId} failed: {Error}", executionId, runId, error);
        }
    }
}
