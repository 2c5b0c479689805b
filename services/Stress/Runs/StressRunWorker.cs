using BenchMesh.Contracts.Stress;
using BenchMesh.Stress.Data;
using BenchMesh.Contracts.Agents;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Scenarios;
using BenchMesh.Stress.Catalog;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Runs;

/// <summary>
/// Executes accepted runs one at a time with the load engine's scenario presets (two loads at once on the same machine
/// would measure each other). GET shows progress from any replica (seconds since the start against the scenario's
/// planned seconds); at the end the result and <see cref="StressTestCompleted"/> are saved together (the event
/// through the outbox). Runs left over by an instance that is gone are failed by
/// <see cref="StressRunSupervisor"/>; the runs of this instance that a graceful stop interrupts are failed here, at once.
/// </summary>
public sealed class StressRunWorker(
    StressRunQueue queue,
    IServiceScopeFactory scopes,
    StressInstance instance,
    StressTargets targets,
    TimeProvider clock,
    ILogger<StressRunWorker> logger) : BackgroundService
{
    private static readonly TimeSpan StopWriteTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await ExecuteAsync(job, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Stress run {StressRunId} could not be recorded", job.StressRunId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping while waiting for a job.
        }

        await FailOwnRunsAsync();
    }

    /// <summary>
    /// The host is stopping: the run in progress was cancelled and the queued ones will never start (jobs live in
    /// this process's memory), so fail them now rather than leave them to the heartbeat sweep a minute later.
    /// </summary>
    private async Task FailOwnRunsAsync()
    {
        using var timeout = new CancellationTokenSource(StopWriteTimeout);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StressDbContext>();
            var failed = await StressRunOutcomes.FailInterruptedAsync(
                db,
                // Distributed runs accepted here are not this instance's to execute: their deadline ends them.
                db.StressRuns.Where(r => r.Owner == instance.Id && r.Workers <= 1),
                _ => "interrupted: the stress service restarted (it was stopped while the run was queued or running).",
                clock.GetUtcNow(),
                timeout.Token);
            if (failed > 0)
            {
                logger.LogWarning("Marked {Count} stress run(s) interrupted by the stop as failed", failed);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            // Another replica's sweep fails them once their heartbeat is stale.
            logger.LogWarning(e, "Stress runs interrupted by the stop could not be marked failed");
        }
    }

    private async Task ExecuteAsync(StressJob job, CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StressDbContext>();
        var starting = await db.StressRuns.Where(r => r.StressRunId == job.StressRunId && r.Status == StressRunStatuses.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StartedAt, clock.GetUtcNow()), stoppingToken);
        if (starting == 0)
        {
            // Failed while it waited (a replica took this instance for dead): nobody wants its measurement any more.
            logger.LogWarning("Stress run {StressRunId} ended before it started; skipped", job.StressRunId);
            return;
        }

        ScenarioResult? result = null;
        string? error = null;
        try
        {
            var target = await targets.PrepareAsync(job.Agent, job.Inputs, stoppingToken);
            result = await ScenarioPresets.RunAsync(job.Scenario, target, job.Parameters, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Stress run {StressRunId} failed", job.StressRunId);
            error = e.Message;
        }

        var run = await db.StressRuns.SingleAsync(r => r.StressRunId == job.StressRunId, stoppingToken);
        if (run.Status != StressRunStatuses.Running)
        {
            logger.LogWarning("Stress run {StressRunId} was already {Status} ({Error}); its measurement is discarded", run.StressRunId, run.Status, run.Error);
            return;
        }

        run.RequestsCompleted = result?.Phases.Sum(p => p.Result.Requests) ?? 0;
        StressRunOutcomes.End(db, run, result, error, clock.GetUtcNow());
        try
        {
            // Not cancellable: a finished measurement is worth writing even while the host stops.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another replica failed it meanwhile, taking our heartbeat for dead; that end was published, keep it.
            logger.LogWarning("Stress run {StressRunId} was declared interrupted meanwhile; its measurement is discarded", run.StressRunId);
            return;
        }

        logger.LogInformation("Stress run {StressRunId} {Status}: {Requests} requests", run.StressRunId, run.Status, run.RequestsCompleted);
    }

    /// <summary>
    /// The registered agent version as the engine loads it: its endpoint in its protocol, with its credential
    /// (<paramref name="apiKey"/>, decrypted); the request bodies are <paramref name="inputs"/> in turn (a suite's dataset
    /// items) or the default prompt.
    /// </summary>
    internal static ScenarioTarget TargetOf(AgentTarget agent, string? apiKey, IReadOnlyList<string>? inputs = null) => new()
    {
        Url = new Uri(agent.Protocol == AgentProtocols.OpenAiChat ? AgentProtocols.ChatCompletionsUrl(agent.Endpoint) : agent.Endpoint),
        Request = new RequestSpec
        {
            Protocol = agent.Protocol,
            ConfigurationJson = agent.ModelConfigurationJson,
            BearerToken = string.IsNullOrEmpty(apiKey) ? null : apiKey,
            Inputs = inputs ?? [],
        },
    };
}
