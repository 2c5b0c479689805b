using BenchMesh.Contracts.Scoring;
using BenchMesh.Runner.Data;
using MassTransit;

namespace BenchMesh.Runner.Consumers;

/// <summary>
/// Records a benchmark's scores on its run and completes the run when the last one arrives
/// (<see cref="RunProgressRecorder"/>: serialized per run, a redelivered score changes nothing).
/// </summary>
public sealed class ExecutionScoredConsumer(RunProgressRecorder recorder) : IConsumer<ExecutionScored>
{
    public async Task Consume(ConsumeContext<ExecutionScored> context)
    {
        var message = context.Message;
        await recorder.RecordAsync(message.RunId, message.ExecutionId, entry =>
        {
            entry.Status = message.Status == ExecutionStatuses.Failed ? RunStatuses.Failed : RunStatuses.Completed;
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
        }, context.CancellationToken);
    }
}
