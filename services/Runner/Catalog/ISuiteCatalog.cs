using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Runner.Catalog;

/// <summary>An agent version as the catalog holds it, with its credential (never put into messages).</summary>
public sealed record CatalogAgentVersion(AgentSnapshot Snapshot, string? ApiKey);

/// <summary>A suite with every benchmark and its dataset.</summary>
public sealed record CatalogSuite(Guid SuiteId, string Name, string Category, IReadOnlyList<BenchmarkDefinition> Benchmarks);

/// <summary>The Suites service as the runner sees it. Null answers mean "not found".</summary>
public interface ISuiteCatalog
{
    /// <param name="version">Null or empty: the agent's latest version.</param>
    Task<CatalogAgentVersion?> GetAgentVersionAsync(Guid agentId, string? version, CancellationToken ct);

    Task<CatalogSuite?> GetSuiteAsync(Guid suiteId, CancellationToken ct);
}

/// <summary>The catalog could not be asked (Suites down or failing): not the caller's fault.</summary>
public sealed class SuiteCatalogUnavailableException(string message, Exception inner) : Exception(message, inner);
