using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.Catalog;

// Who may see an agent or a suite: its workspace's callers, and everyone when IsPublic (Caller.CanSee). The catalog
// answers for every workspace; the service that serves a caller applies the rule.

/// <summary>
/// An agent version as the catalog holds it, with its credential encrypted (never put into messages): the service that
/// calls the agent decrypts it with BenchMesh.Credentials' <c>AgentCredentials</c> just before the call.
/// </summary>
public sealed record CatalogAgentVersion(AgentSnapshot Snapshot, string? ProtectedApiKey)
{
    /// <summary>Whether the agent is public (its workspace is <see cref="AgentSnapshot.WorkspaceId"/>).</summary>
    public bool IsPublic { get; init; }
}

/// <summary>A registered agent and the names of its versions (oldest first); no credential.</summary>
public sealed record CatalogAgent(Guid AgentId, string Name, string WorkspaceId, string Protocol, IReadOnlyList<string> Versions)
{
    public bool IsPublic { get; init; }
}

/// <summary>
/// A suite with every benchmark and its dataset, and its overrides of the regression engine's practical thresholds
/// (metric name → threshold; empty when it has none).
/// </summary>
public sealed record CatalogSuite(Guid SuiteId, string Name, string Category, IReadOnlyList<BenchmarkDefinition> Benchmarks)
{
    public IReadOnlyDictionary<string, double> RegressionThresholds { get; init; } = new Dictionary<string, double>();

    /// <summary>The workspace that owns the suite; null only from a catalog older than workspaces.</summary>
    public string? WorkspaceId { get; init; }

    public bool IsPublic { get; init; }
}

/// <summary>The Suites service's agents and suites as the other services see them. Null answers mean "not found".</summary>
public interface ISuiteCatalog
{
    /// <summary>The agent, whether or not it has versions; null when no such agent is registered.</summary>
    Task<CatalogAgent?> GetAgentAsync(Guid agentId, CancellationToken ct);

    /// <param name="version">Null or empty: the agent's latest version.</param>
    Task<CatalogAgentVersion?> GetAgentVersionAsync(Guid agentId, string? version, CancellationToken ct);

    Task<CatalogSuite?> GetSuiteAsync(Guid suiteId, CancellationToken ct);

    /// <summary>
    /// Every registered agent, oldest first (the Runner's coverage report). A default body so that the catalogs of
    /// services that only look agents up (and their test doubles) need not implement it.
    /// </summary>
    Task<IReadOnlyList<CatalogAgent>> ListAgentsAsync(CancellationToken ct) =>
        throw new NotSupportedException($"{GetType().Name} cannot list agents.");

    /// <summary>The suite's overrides of the regression engine's practical thresholds; null when there is no such suite.</summary>
    async Task<IReadOnlyDictionary<string, double>?> GetRegressionThresholdsAsync(Guid suiteId, CancellationToken ct) =>
        (await GetSuiteAsync(suiteId, ct).ConfigureAwait(false))?.RegressionThresholds;
}

/// <summary>The catalog could not be asked (Suites down or failing): not the caller's fault.</summary>
public sealed class SuiteCatalogUnavailableException(string message, Exception? inner = null) : Exception(message, inner), ITransientFailure;
