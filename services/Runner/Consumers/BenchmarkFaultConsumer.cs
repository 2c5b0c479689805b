using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Data;
using MassTransit;

namespace BenchMesh.Runner.Consumers;

/// <summary>
/// A benchmark whose message ended in an <c>_error</c> queue will never be scored: without this consumer its run
/// would stay "running" forever. MassTransit publishes <see cref="Fault{T}"/> when a consumer has failed for good:
/// <c>Fault&lt;RunBenchmark&gt;</c> when a runner worker could not execute the benchmark (the worker has no retry, see
/// <see cref="Extensions"/>), <c>Fault&lt;BenchmarkExecuted&gt;</c> when Scoring could not score it. Either marks the
/// benchmark failed, with the error, and completes the run if it was the last (<see cref="RunProgressRecorder"/>:
/// a benchmark already scored or failed is left alone, so a duplicate fault counts once).
/// </summary>
public sealed class BenchmarkFaultConsumer(RunProgressRecorder recorder, ILogger<BenchmarkFaultConsumer> logger)
    : IConsumer<Fault<RunBenchmark>>, IConsumer<Fault<BenchmarkExecuted>>
{
    public Task Consume(ConsumeContext<Fault<RunBenchmark>> context)
    {
        var command = context.Message.Message;
        return FailAsync(command.RunId, command.ExecutionId, "The runner could not execute the benchmark", context.Message, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Fault<BenchmarkExecuted>> context)
    {
        var executed = context.Message.Message;
        return FailAsync(executed.RunId, executed.ExecutionId, "Scoring could not score the benchmark", context.Message, context.CancellationToken);
    }

    private async Task FailAsync(Guid runId, Guid executionId, string what, Fault fault, CancellationToken ct)
    {
        var error = Describe(what, fault);
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

    private static string Describe(string what, Fault fault)
    {
        var exception = fault.Exceptions?.FirstOrDefault();
        var error = exception is null ? $"{what}." : $"{what}: {exception.ExceptionType}: {exception.Message}";
        return error.Length <= RunBenchmarkEntry.MaxErrorMessageLength ? error : error[..(RunBenchmarkEntry.MaxErrorMessageLength - 1)] + "…";
    }
}
