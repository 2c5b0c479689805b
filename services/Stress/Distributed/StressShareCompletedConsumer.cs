using System.Globalization;
using System.Text.Json;
using BenchMesh.Contracts.Stress;
using BenchMesh.LoadEngine.Scenarios;
using BenchMesh.Persistence;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Distributed;

/// <summary>
/// Stores a share's partial result with its run (any instance: the shares are in PostgreSQL) and, when it is the last
/// one, merges every share into the run's result and ends the run with <see cref="StressTestCompleted"/> (through the
/// outbox), as a single-worker run ends. A failed share fails the run at once, naming it. Partials of one run are
/// handled one at a time (the run's row is locked), so exactly one of them sees every share in; a re-delivered partial,
/// or one for a share already reported, changes nothing.
/// </summary>
public sealed class StressShareCompletedConsumer(StressDbContext db, TimeProvider clock, ILogger<StressShareCompletedConsumer> logger)
    : IConsumer<StressShareCompleted>
{
    private const string LockRun = $"SELECT 1 FROM \"{StressDbContext.Schema}\".stress_runs WHERE stress_run_id = {{0}} FOR UPDATE";

    public async Task Consume(ConsumeContext<StressShareCompleted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var partial = context.Message;
        // Under the execution strategy: a dropped connection handles the partial again, from the lock on.
        var handled = await db.InTransactionAsync<StressRun?>(async ct =>
        {
            await db.Database.ExecuteSqlRawAsync(LockRun, [partial.StressRunId], ct);
            var run = await db.StressRuns.Include(r => r.Shares).SingleOrDefaultAsync(r => r.StressRunId == partial.StressRunId, ct);
            var share = run?.Shares.SingleOrDefault(s => s.ShareIndex == partial.ShareIndex);
            if (run is null || share is null)
            {
                logger.LogWarning("Share {Share} of unknown stress run {StressRunId}; ignored", partial.ShareIndex, partial.StressRunId);
                return null;
            }

            if (share.Status is StressShareStatuses.Completed or StressShareStatuses.Failed)
            {
                logger.LogInformation("Share {Share}/{Count} of stress run {StressRunId} was already reported; ignored",
                    partial.ShareIndex, partial.ShareCount, partial.StressRunId);
                return null;
            }

            var completed = partial.Status == StressShareStatuses.Completed;
            share.Status = completed ? StressShareStatuses.Completed : StressShareStatuses.Failed;
            share.Error = partial.Error;
            share.Worker ??= partial.Worker;
            share.Requests = partial.Requests;
            share.CompletedAt = partial.CompletedAt;
            share.PartialJson = completed ? JsonSerializer.Serialize(partial.Phases, ServiceDefaultsExtensions.PublicJson) : null;

            // A share that reports after its run ended (it failed, or passed its deadline) is kept for the record only.
            if (run.Status == StressRunStatuses.Running)
            {
                var now = clock.GetUtcNow();
                if (!completed)
                {
                    run.RequestsCompleted = run.Shares.Sum(s => s.Requests);
                    StressRunOutcomes.End(db, run, result: null,
                        string.Create(CultureInfo.InvariantCulture, $"share {share.ShareIndex}/{run.Workers} failed: {partial.Error ?? "no reason given"}"), now);
                }
                else if (run.Shares.All(s => s.Status == StressShareStatuses.Completed))
                {
                    var (result, error) = MergeAll(run);
                    run.RequestsCompleted = result?.Phases.Sum(p => p.Result.Requests) ?? run.Shares.Sum(s => s.Requests);
                    StressRunOutcomes.End(db, run, result, error, now);
                }
                else
                {
                    run.RequestsCompleted = run.Shares.Sum(s => s.Requests);
                }
            }

            await db.SaveChangesAsync(ct);
            return run;
        }, context.CancellationToken);
        if (handled is { } run && run.Status != StressRunStatuses.Running)
        {
            logger.LogInformation("Stress run {StressRunId} {Status} with {Workers} workers: {Requests} requests",
                run.StressRunId, run.Status, run.Workers, run.RequestsCompleted);
        }
    }

    /// <summary>The run's result from its shares' stored partials, or why they cannot be merged.</summary>
    private (ScenarioResult? Result, string? Error) MergeAll(StressRun run)
    {
        try
        {
            var shares = run.Shares.OrderBy(s => s.ShareIndex).ToList();
            var phases = shares
                .Select(s => ShareResults.FromWire(JsonSerializer.Deserialize<List<StressSharePhase>>(s.PartialJson!, ServiceDefaultsExtensions.PublicJson)!))
                .ToList();
            return (ShareResults.Merge(
                run.Scenario,
                ReadParameters(run.ParametersJson),
                [.. shares.Select(s => ReadParameters(s.ParametersJson))],
                phases), null);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            logger.LogWarning(e, "The shares of stress run {StressRunId} could not be merged", run.StressRunId);
            return (null, $"the shares' results could not be merged: {e.Message}");
        }
    }

    private static IReadOnlyDictionary<string, double> ReadParameters(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(json) ?? throw new FormatException("A run's parameters are not an object of numbers.");
}
