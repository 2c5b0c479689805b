using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Data;
using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.Runner.Apis;

/// <summary>
/// Why a run was not started. <see cref="Code"/> is stable (a scheduled firing records it); the rest is the problem
/// <c>POST /benchmarks/run</c> answers with (<see cref="Errors"/>: a 400 with field errors).
/// </summary>
public sealed record RunRefusal(string Code, int StatusCode, string Title, string Detail, IDictionary<string, string[]>? Errors = null)
{
    public const string AgentNotFound = "agent_not_found";
    public const string SuiteNotFound = "suite_not_found";
    public const string InvalidConfiguration = "invalid_configuration";
    public const string ProtocolNotExecutable = "protocol_not_executable";
    public const string EmptySuite = "empty_suite";
    public const string ProcessAgentRefused = "process_agent_refused";
    public const string AgentUnreachable = "agent_unreachable";
    public const string CatalogUnavailable = "catalog_unavailable";
}

/// <summary>A run ready to save, or why there is none.</summary>
public sealed record RunStart(Run? Run, RunRefusal? Refusal);

/// <summary>The agent version and the suite a run would use, or why they cannot be used.</summary>
public sealed record RunSubjects(CatalogAgentVersion? Agent, CatalogSuite? Suite, RunRefusal? Refusal);

/// <summary>
/// The one way a run starts, for <c>POST /benchmarks/run</c> and for scheduled firings alike: look the agent version and
/// the suite up (as the caller sees them: <see cref="RunAccess"/>), check that the run can execute, and add the run, in
/// the caller's workspace, with its work to the context. It does not save: the API or the firing does, so that a
/// firing can record its own row in the same transaction.
/// </summary>
public sealed class RunStarter(
    RunnerDbContext db, ISuiteCatalog catalog, IAgentEndpointProbe probe, TimeProvider time, ProcessAgentPolicy processAgents)
{
    /// <param name="agentVersion">Null or empty: the agent's latest version.</param>
    public async Task<RunStart> PrepareAsync(
        Caller caller, Guid agentId, string? agentVersion, Guid suiteId, EffectiveRunConfiguration configuration, CancellationToken ct)
    {
        var (agent, suite, notFound) = await FindAsync(catalog, caller, agentId, agentVersion, suiteId, ct);
        if (agent is null || suite is null)
        {
            return new RunStart(null, notFound);
        }

        if (RunsApi.ValidateSampleCount(suite, configuration.Iterations) is { IsValid: false } tooLarge)
        {
            var errors = tooLarge.ToDictionary();
            return new RunStart(null, new RunRefusal(
                RunRefusal.InvalidConfiguration, StatusCodes.Status400BadRequest, "The configuration does not fit the suite.",
                string.Join(" ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key} {m}"))), errors));
        }

        var snapshot = agent.Snapshot;
        if (!AgentProtocols.Executable.Contains(snapshot.Protocol))
        {
            return Refused(RunRefusal.ProtocolNotExecutable, StatusCodes.Status422UnprocessableEntity, "The agent's protocol cannot be executed.",
                $"Protocol '{snapshot.Protocol}' is not one the runner executes ({string.Join(", ", AgentProtocols.Executable)}).");
        }

        if (suite.Benchmarks.Count == 0)
        {
            return Refused(RunRefusal.EmptySuite, StatusCodes.Status422UnprocessableEntity, "The suite has no benchmarks.", $"Suite {suiteId} has nothing to run.");
        }

        // A process agent has no endpoint to probe: it runs here, if the operator allows it.
        if (snapshot.Protocol == AgentProtocols.Process && !processAgents.TryAuthorize(snapshot.Endpoint, out _, out _, out var refusal))
        {
            return Refused(RunRefusal.ProcessAgentRefused, StatusCodes.Status422UnprocessableEntity, "The process agent cannot run on this runner.", refusal);
        }

        if (snapshot.Protocol != AgentProtocols.Process && await probe.ProbeAsync(snapshot.Endpoint, ct) is { } unreachable)
        {
            return Refused(RunRefusal.AgentUnreachable, StatusCodes.Status422UnprocessableEntity, "The agent's endpoint is unreachable.",
                unreachable);
        }

        return new RunStart(RunsApi.CreateRun(db, caller.WorkspaceId, snapshot, suite, configuration, time.GetUtcNow()), null);
    }

    /// <summary>
    /// The agent version and the suite, when both exist and <paramref name="caller"/> can see them. One it cannot see is
    /// refused exactly as one that does not exist.
    /// </summary>
    public static async Task<RunSubjects> FindAsync(
        ISuiteCatalog catalog, Caller caller, Guid agentId, string? agentVersion, Guid suiteId, CancellationToken ct)
    {
        CatalogAgentVersion? agent;
        CatalogSuite? suite;
        try
        {
            agent = await catalog.GetAgentVersionAsync(agentId, agentVersion, ct);
            suite = await catalog.GetSuiteAsync(suiteId, ct);
        }
        catch (SuiteCatalogUnavailableException e)
        {
            return new RunSubjects(null, null, new RunRefusal(
                RunRefusal.CatalogUnavailable, StatusCodes.Status503ServiceUnavailable, "The suite catalog is unavailable.", e.Message));
        }

        if (agent is null || !caller.CanRun(agent))
        {
            return new RunSubjects(null, null, new RunRefusal(RunRefusal.AgentNotFound, StatusCodes.Status404NotFound, "Agent not found.",
                string.IsNullOrWhiteSpace(agentVersion) ? $"No agent {agentId} with a version." : $"No version '{agentVersion}' of agent {agentId}."));
        }

        if (suite is null || !caller.CanRun(suite))
        {
            return new RunSubjects(null, null, new RunRefusal(RunRefusal.SuiteNotFound, StatusCodes.Status404NotFound, "Suite not found.", $"No suite {suiteId}."));
        }

        return new RunSubjects(agent, suite, null);
    }

    private static RunStart Refused(string code, int statusCode, string title, string detail) =>
        new(null, new RunRefusal(code, statusCode, title, detail));
}
