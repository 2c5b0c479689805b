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
/// Runs the confirmation passes the Regression service asks for, on the one borderline benchmark, otherwise with the
/// configuration of the run the request was based on. With a baseline version (schema 2) the candidate and the baseline
/// are re-run interleaved, A B A B (<see cref="ConfirmationRunsRequested.Pairs"/> pairs of
/// <see cref="ConfirmationRunsRequested.PassesPerStep"/> passes each): this consumer starts step 0 (the candidate) and
/// keeps the sequence (<see cref="ConfirmationSequence"/>); each later step starts when the one before it has finished
/// (<see cref="StartNextStepAsync"/>, from <see cref="RunProgressRecorder"/>), so no two steps overlap and a batch effect
/// between the two versions' original runs (another day, another load on the provider) cannot pass as a regression.
/// A step that fails still hands over to the next: the Regression service judges the pairs it receives.
/// Without a baseline version (schema 1) only the candidate is re-run, with <see cref="ConfirmationRunsRequested.AdditionalRuns"/>
/// passes. Every run is an ordinary run with a derived id (<see cref="ConfirmationRunsRequested.StepRunId"/>; step 0 is the
/// request's id, so a re-delivered request finds it and starts nothing twice); its ExecutionScored reaches Regression.
/// A request that cannot be honoured (an agent version, the suite or the benchmark is gone, the protocol cannot be run,
/// the passes would exceed the sample limit) is logged and dropped: nothing is waiting for it.
/// </summary>
public sealed class ConfirmationRunsRequestedConsumer(
    RunnerDbContext db,
    ISuiteCatalog catalog,
    TimeProvider time,
    ILogger<ConfirmationRunsRequestedConsumer> logger) : IConsumer<ConfirmationRunsRequested>
{
    /// <summary>How the sequence keeps the agents and the suite: the contracts' own shape (camelCase, as on the bus).</summary>
    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);

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
        var baseline = request.BaselineVersion is { } baselineVersion
            ? await catalog.GetAgentVersionAsync(request.AgentId, baselineVersion, ct)
            : null;
        var suite = await catalog.GetSuiteAsync(request.SuiteId, ct);
        var benchmark = suite?.Benchmarks.FirstOrDefault(b => b.BenchmarkId == request.BenchmarkId);
        if (agent is null || suite is null || benchmark is null || !AgentProtocols.Executable.Contains(agent.Snapshot.Protocol)
            || (request.BaselineVersion is not null && (baseline is null || !AgentProtocols.Executable.Contains(baseline.Snapshot.Protocol))))
        {
            logger.LogWarning(
                "Confirmation runs {RequestId} for {Agent} {Version} (baseline {Baseline}) on benchmark {Benchmark} dropped: an agent version, the suite or the benchmark is no longer runnable",
                request.RequestId, request.AgentName, request.AgentVersion, request.BaselineVersion, request.BenchmarkName);
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
        var passes = baseline is null ? request.AdditionalRuns : request.PassesPerStep;
        configuration = configuration with { Iterations = Math.Clamp(passes, 1, RunLimits.MaxIterations) };
        var only = suite with { Benchmarks = [benchmark] };
        if (!RunsApi.ValidateSampleCount(only, configuration.Iterations).IsValid)
        {
            logger.LogWarning("Confirmation runs {RequestId} dropped: {Iterations} passes over {Items} items exceed the sample limit",
                request.RequestId, configuration.Iterations, benchmark.Items.Count);
            return;
        }

        var now = time.GetUtcNow();
        // The confirmation belongs where the run it confirms does (whose results it pools with), else to the agent's
        // workspace; the interleaved steps after this one take this run's workspace.
        var workspaceId = basedOn?.WorkspaceId ?? RunAccess.OwnerOf(agent.Snapshot.WorkspaceId);
        RunsApi.CreateRun(db, workspaceId, agent.Snapshot, only, configuration, now, request.RequestId);
        if (baseline is not null)
        {
            db.ConfirmationSequences.Add(new ConfirmationSequence
            {
                RequestId = request.RequestId,
                CandidateAgentJson = JsonSerializer.Serialize(agent.Snapshot, StoredJson),
                BaselineAgentJson = JsonSerializer.Serialize(baseline.Snapshot, StoredJson),
                SuiteJson = JsonSerializer.Serialize(only, StoredJson),
                ConfigurationJson = JsonSerializer.Serialize(configuration, ServiceDefaultsExtensions.PublicJson),
                Steps = 2 * Math.Max(1, request.Pairs),
                CurrentStep = 0,
                CurrentRunId = request.RequestId,
                CreatedAt = now,
            });
        }

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
            "Confirmation run {RunId}: {Agent} {Version} on {Benchmark}, {Iterations} passes for {Metrics}{Interleaving}",
            request.RequestId, request.AgentName, request.AgentVersion, request.BenchmarkName, configuration.Iterations, string.Join(", ", request.Metrics),
            baseline is null ? "" : $", interleaved with {request.BaselineVersion} over {2 * Math.Max(1, request.Pairs)} runs");
    }

    /// <summary>
    /// Starts the next step of the interleaved confirmation whose current run <paramref name="finishedRunId"/> has just
    /// finished (completed or failed), in the caller's transaction, so the step is recorded with its run and its commands
    /// or not at all. Nothing happens for a run that is no confirmation step, or the last step.
    /// </summary>
    internal static async Task StartNextStepAsync(RunnerDbContext db, Guid finishedRunId, DateTimeOffset now, ILogger logger, CancellationToken ct)
    {
        var sequence = await db.ConfirmationSequences.SingleOrDefaultAsync(c => c.CurrentRunId == finishedRunId, ct);
        if (sequence is null || sequence.CurrentStep + 1 >= sequence.Steps)
        {
            return;
        }

        sequence.CurrentStep++;
        sequence.CurrentRunId = ConfirmationRunsRequested.StepRunId(sequence.RequestId, sequence.CurrentStep);
        var candidate = sequence.CurrentStep % 2 == 0;
        var agent = JsonSerializer.Deserialize<AgentSnapshot>(candidate ? sequence.CandidateAgentJson : sequence.BaselineAgentJson, StoredJson)!;
        var suite = JsonSerializer.Deserialize<CatalogSuite>(sequence.SuiteJson, StoredJson)!;
        var configuration = JsonSerializer.Deserialize<EffectiveRunConfiguration>(sequence.ConfigurationJson, ServiceDefaultsExtensions.PublicJson)!;
        var workspaceId = await db.Runs.Where(r => r.RunId == sequence.RequestId).Select(r => r.WorkspaceId).SingleAsync(ct);
        RunsApi.CreateRun(db, workspaceId, agent, suite, configuration, now, sequence.CurrentRunId);
        logger.LogInformation(
            "Confirmation {RequestId}, step {Step} of {Steps}: run {RunId} of {Version} ({Side})",
            sequence.RequestId, sequence.CurrentStep + 1, sequence.Steps, sequence.CurrentRunId, agent.Version, candidate ? "candidate" : "baseline");
    }
}
