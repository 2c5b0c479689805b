using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Regression;
using BenchMesh.Contracts.Runs;
using BenchMesh.Persistence;
using BenchMesh.Runner.Apis;
using BenchMesh.Runner.Data;
using BenchMesh.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Consumers;

/// <summary>
/// Runs the confirmation passes the Regression service asks for: the one borderline benchmark of the agent version,
/// with <see cref="ConfirmationRunsRequested.AdditionalRuns"/> iterations and otherwise the configuration of the run it
/// was based on. The run is an ordinary run (its id is the request's, so a re-delivered request finds it and starts
/// nothing twice); its ExecutionScored reaches Regression, which pools the new passes with the version's earlier ones.
/// A request that cannot be honoured (the agent version, suite or benchmark is gone, the protocol cannot be run, the
/// passes would exceed the sample limit) is logged and dropped: nothing is waiting for it.
/// </summary>
public sealed class ConfirmationRunsRequestedConsumer(
    RunnerDbContext db,
    ISuiteCatalog catalog,
    TimeProvider time,
    ILogger<ConfirmationRunsRequestedConsumer> logger) : IConsumer<ConfirmationRunsRequested>
{
    public async Task Consume(ConsumeContext<ConfirmationRunsRequested> context)
    {
        var request = context.Message;
        var ct = context.CancellationToken;
        if (await db.Runs.AnyAsync(r => r.RunId == request.RequestId, ct))
        {
            logger.LogDebug("Confirmation runs {RequestId} already started", request.RequestId);
            return;
        }

        var agent = await catalog.GetAgentVersionAsync(request.AgentId, request.AgentVersion, ct);
        var suite = await catalog.GetSuiteAsync(request.SuiteId, ct);
        var benchmark = suite?.Benchmarks.FirstOrDefault(b => b.BenchmarkId == request.BenchmarkId);
        if (agent is null || suite is null || benchmark is null || !AgentProtocols.Executable.Contains(agent.Snapshot.Protocol))
        {
            logger.LogWarning(
                "Confirmation runs {RequestId} for {Agent} {Version} on benchmark {Benchmark} dropped: the agent version, suite or benchmark is no longer runnable",
                request.RequestId, request.AgentName, request.AgentVersion, request.BenchmarkName);
            return;
        }

        var basedOn = await db.Runs.AsNoTracking()
            .Where(r => r.RunId == request.BasedOnRunId)
            .Select(r => new { r.ConfigurationJson, r.WorkspaceId })
            .FirstOrDefaultAsync(ct);
        var defaults = new RunConfiguration();
        var configuration = (basedOn is null
                ? null
                : JsonSerializer.Deserialize<EffectiveRunConfiguration>(basedOn.ConfigurationJson, ServiceDefaultsExtensions.PublicJson))
            ?? new EffectiveRunConfiguration(defaults.WarmupRuns, defaults.Iterations, defaults.Concurrency, RunsApi.DefaultTimeoutSeconds, defaults.MaxConsecutiveFailures);
        configuration = configuration with { Iterations = Math.Clamp(request.AdditionalRuns, 1, RunLimits.MaxIterations) };
        var only = suite with { Benchmarks = [benchmark] };
        if (!RunsApi.ValidateSampleCount(only, configuration.Iterations).IsValid)
        {
            logger.LogWarning("Confirmation runs {RequestId} dropped: {Iterations} passes over {Items} items exceed the sample limit",
                request.RequestId, configuration.Iterations, benchmark.Items.Count);
            return;
        }

        // The confirmation belongs where the run it confirms does (whose results it pools with), else to the agent's workspace.
        var workspaceId = basedOn?.WorkspaceId ?? RunAccess.OwnerOf(agent.Snapshot.WorkspaceId);
        RunsApi.CreateRun(db, workspaceId, agent.Snapshot, only, configuration, time.GetUtcNow(), request.RequestId);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent delivery of the same request created the run.
            return;
        }

        logger.LogInformation(
            "Confirmation run {RunId}: {Agent} {Version} on {Benchmark}, {Iterations} passes for {Metrics}",
            request.RequestId, request.AgentName, request.AgentVersion, request.BenchmarkName, configuration.Iterations, string.Join(", ", request.Metrics));
    }
}
