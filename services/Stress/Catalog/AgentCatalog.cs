using BenchMesh.Catalog;

namespace BenchMesh.Stress.Catalog;

/// <summary>A registered agent version as the stress service targets it. Only endpoints from the catalog are loaded.</summary>
public sealed record AgentTarget(
    Guid AgentId, string AgentName, string Version, string Protocol, string Endpoint, string? ApiKey, string ModelConfigurationJson);

/// <summary>The agents registered in Suites, narrowed to what a stress run needs.</summary>
public interface IAgentCatalog
{
    /// <summary>The version (null or empty: the latest), or null when the agent or the version is unknown.</summary>
    /// <exception cref="SuiteCatalogUnavailableException">Suites could not be asked.</exception>
    Task<AgentTarget?> FindAgentVersionAsync(Guid agentId, string? version, CancellationToken cancellationToken);
}

/// <summary><see cref="IAgentCatalog"/> over the shared Suites catalog client.</summary>
public sealed class SuiteAgentCatalog(ISuiteCatalog catalog) : IAgentCatalog
{
    public async Task<AgentTarget?> FindAgentVersionAsync(Guid agentId, string? version, CancellationToken cancellationToken)
    {
        if (await catalog.GetAgentVersionAsync(agentId, version, cancellationToken) is not { } found)
        {
            return null;
        }

        var s = found.Snapshot;
        return new AgentTarget(s.AgentId, s.AgentName, s.Version, s.Protocol, s.Endpoint, found.ApiKey, s.ModelConfigurationJson);
    }
}
