using System.Collections.Concurrent;
using BenchMesh.Catalog;
using BenchMesh.Testing;

namespace BenchMesh.Scoring.Tests;

/// <summary>
/// Stands in for Suites: knows the agents a test registers, and fails like an unreachable Suites for the
/// agents a test says it cannot be asked about (per agent, so that tests sharing a host do not disturb each other).
/// </summary>
public sealed class RegisteredAgentsCatalog : ISuiteCatalog
{
    private readonly ConcurrentDictionary<Guid, string> _registered = new();
    private readonly ConcurrentDictionary<Guid, bool> _unreachable = new();

    /// <summary>Registers an agent of <paramref name="workspaceId"/> (the workspace the default test client calls as).</summary>
    public Guid Register(Guid? agentId = null, string workspaceId = Callers.DefaultWorkspace)
    {
        var id = agentId ?? Guid.NewGuid();
        _registered[id] = workspaceId;
        return id;
    }

    public void FailFor(Guid agentId) => _unreachable[agentId] = true;

    public Task<CatalogAgent?> GetAgentAsync(Guid agentId, CancellationToken ct)
    {
        if (_unreachable.ContainsKey(agentId))
        {
            throw new SuiteCatalogUnavailableException("Suites did not answer (test).");
        }

        return Task.FromResult(_registered.TryGetValue(agentId, out var workspace) ? new CatalogAgent(agentId, "support-bot", workspace, "http-json", ["1.0"]) : null);
    }

    public Task<CatalogAgentVersion?> GetAgentVersionAsync(Guid agentId, string? version, CancellationToken ct) =>
        throw new NotSupportedException("Scoring reads agents only.");

    public Task<CatalogSuite?> GetSuiteAsync(Guid suiteId, CancellationToken ct) =>
        throw new NotSupportedException("Scoring reads agents only.");
}
