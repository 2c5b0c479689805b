using System.Globalization;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Stress;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Scenarios;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Stress.Catalog;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Runs;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Stress.Distributed;

/// <summary>
/// Runs one share of a distributed run on this instance: takes it (once: a re-delivered share, or one another worker
/// took, is skipped), resolves the agent version through the catalog, waits for the common start, runs the scenario
/// with the share's parameters and reports <see cref="StressShareCompleted"/> through the outbox. A share taken later
/// than <see cref="DistributedRunOptions.StartTolerance"/> after the common start is reported failed rather than run
/// late. The message is held (unacknowledged) while the share runs, so with one share at a time per instance
/// (<see cref="RunStressShareConsumerDefinition"/>) the other shares go to the other instances.
/// </summary>
public sealed class RunStressShareConsumer(
    StressDbContext db,
    IAgentCatalog catalog,
    StressInstance instance,
    StressTargets targets,
    TimeProvider clock,
    IOptions<DistributedRunOptions> options,
    ILogger<RunStressShareConsumer> logger) : IConsumer<RunStressShare>
{
    public async Task Consume(ConsumeContext<RunStressShare> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var share = context.Message;
        var ct = context.CancellationToken;
        var takenAt = clock.GetUtcNow();
        var taken = await db.StressRunShares
            .Where(s => s.StressRunId == share.StressRunId && s.ShareIndex == share.ShareIndex && s.Status == StressShareStatuses.Pending
                && db.StressRuns.Any(r => r.StressRunId == share.StressRunId && r.Status == StressRunStatuses.Running))
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, StressShareStatuses.Running)
                .SetProperty(x => x.Worker, instance.Id)
                .SetProperty(x => x.ClaimedAt, takenAt), ct);
        if (taken == 0)
        {
            // Re-delivered, or the run already ended: whoever took it reports it, or nobody needs it any more.
            logger.LogInformation("Share {Share}/{Count} of stress run {StressRunId} is already taken or its run has ended; skipped",
                share.ShareIndex, share.ShareCount, share.StressRunId);
            return;
        }

        var (result, error, startedAt) = await RunAsync(share, takenAt, ct);
        db.AddOutboxMessage(new StressShareCompleted
        {
            StressRunId = share.StressRunId,
            ShareIndex = share.ShareIndex,
            ShareCount = share.ShareCount,
            Worker = instance.Id,
            Status = result is null ? StressShareStatuses.Failed : StressShareStatuses.Completed,
            Error = error,
            Requests = result?.Phases.Sum(p => p.Result.Requests) ?? 0,
            Phases = result is null ? [] : ShareResults.ToWire(result),
            StartedAt = startedAt,
            CompletedAt = clock.GetUtcNow(),
        });
        // Not cancellable: a finished measurement (or the reason there is none) is worth writing even while the host stops.
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Share {Share}/{Count} of stress run {StressRunId} {Outcome}",
            share.ShareIndex, share.ShareCount, share.StressRunId, result is null ? $"failed: {error}" : "completed");
    }

    private async Task<(ScenarioResult? Result, string? Error, DateTimeOffset? StartedAt)> RunAsync(
        RunStressShare share, DateTimeOffset takenAt, CancellationToken ct)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"share {share.ShareIndex}/{share.ShareCount}");
        var tolerance = options.Value.StartTolerance;
        var late = takenAt - share.StartAt;
        if (late > tolerance)
        {
            return (null, string.Create(CultureInfo.InvariantCulture,
                $"{name} was taken {late.TotalSeconds:0.0} s after the common start (tolerance {tolerance.TotalSeconds:0.#} s) and was not run late, " +
                $"since its load would not overlap the other shares': run at least {share.ShareCount} Stress instances that take shares, or fewer workers."), null);
        }

        AgentTarget? agent;
        IReadOnlyList<string>? inputs = null;
        try
        {
            agent = await catalog.FindAgentVersionAsync(share.AgentId, share.AgentVersion, ct);
            if (share.SuiteId is { } suiteId)
            {
                inputs = (await catalog.FindInputsAsync(suiteId, share.BenchmarkId, ct))?.Inputs;
                if (inputs is null)
                {
                    return (null, $"{name}: suite {suiteId} (benchmark {share.BenchmarkId}) is no longer in the catalog.", null);
                }
            }
        }
        catch (SuiteCatalogUnavailableException e)
        {
            return (null, $"{name}: the agent catalog could not be asked ({e.Message}).", null);
        }

        if (agent is null)
        {
            return (null, $"{name}: agent {share.AgentId} version '{share.AgentVersion}' is no longer registered.", null);
        }

        try
        {
            // Warm the load engine up before the common start rather than in its first run (LoadGenerator.WarmUpAsync):
            // in a fresh instance that takes 1-3 s, which would otherwise start this share late against the others.
            if (Uri.TryCreate(agent.Endpoint, UriKind.Absolute, out var endpoint))
            {
                await LoadGenerator.WarmUpAsync(endpoint, cancellationToken: ct);
            }

            var wait = share.StartAt - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, ct);
            }

            // The run's elapsed time counts from the common start, whichever share gets there first.
            await db.StressRuns.Where(r => r.StressRunId == share.StressRunId && r.StartedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.StartedAt, share.StartAt), ct);
            var startedAt = clock.GetUtcNow();
            try
            {
                var target = await targets.PrepareAsync(agent, inputs, ct);
                var result = await ScenarioPresets.RunAsync(share.Scenario, target, share.Parameters, ct);
                return (result, null, startedAt);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "{Share} of stress run {StressRunId} failed", name, share.StressRunId);
                return (null, $"{name} failed on {instance.Id}: {e.Message}", startedAt);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (null, $"{name} was interrupted: its worker {instance.Id} stopped.", null);
        }
    }
}

/// <summary>
/// One share at a time per instance (two loads on one machine would measure each other), and a prefetch of one, so
/// that the other shares stay on the broker for the other instances instead of waiting here.
/// </summary>
public sealed class RunStressShareConsumerDefinition : ConsumerDefinition<RunStressShareConsumer>
{
    public RunStressShareConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<RunStressShareConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.PrefetchCount = 1;
        endpointConfigurator.ConcurrentMessageLimit = 1;
    }
}
