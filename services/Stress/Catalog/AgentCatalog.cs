using BenchMesh.Catalog;

namespace BenchMesh.Stress.Catalog;

/// <summary>
/// A registered agent version as the stress service targets it. Only endpoints from the catalog are loaded. Its
/// credential stays encrypted until the run's load is built (<see cref="Runs.StressTargets"/>).
/// <paramref name="WorkspaceId"/> and <paramref name="IsPublic"/> say who may target it (<c>Caller.CanSee</c>).
/// </summary>
public sealed record AgentTarget(
    Guid AgentId, string AgentName, string Version, string Protocol, string Endpoint, string? ProtectedApiKey, string ModelConfigurationJson,
    string? WorkspaceId, bool IsPublic);

/// <summary>A suite's dataset inputs (<see cref="DatasetInputs.From"/>), with who may use them (<c>Caller.CanSee</c>).</summary>
public sealed record SuiteInputs(string? WorkspaceId, bool IsPublic, IReadOnlyList<string> Inputs);

/// <summary>The agents registered in Suites, narrowed to what a stress run needs.</summary>
public interface IAgentCatalog
{
    /// <summary>The version (null or empty: the latest), or null when the agent or the version is unknown.</summary>
    /// <exception cref="SuiteCatalogUnavailableException">Suites could not be asked.</exception>
    Task<AgentTarget?> FindAgentVersionAsync(Guid agentId, string? version, CancellationToken cancellationToken);

    /// <summary>
    /// The inputs of a suite's dataset items (of one benchmark, or of every benchmark in order), at most
    /// <see cref="DatasetInputs.MaxInputs"/>; null when the suite, or the benchmark in it, is unknown.
    /// </summary>
    /// <exception cref="SuiteCatalogUnavailableException">Suites could not be asked.</exception>
    Task<SuiteInputs?> FindInputsAsync(Guid suiteId, Guid? benchmarkId, CancellationToken cancellationToken);
}

/// <summary>Request bodies from a suite's dataset: what a stress run sends when it names a suite.</summary>
public static class DatasetInputs
{
    /// <summary>Inputs kept for a run: enough variety for any load, bounded in memory (items beyond are not used).</summary>
    public const int MaxInputs = 10_000;

    /// <summary>The items' inputs in order, of one benchmark or all; null when the benchmark is not in the suite.</summary>
    public static IReadOnlyList<string>? From(CatalogSuite suite, Guid? benchmarkId)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var benchmarks = benchmarkId is { } id ? suite.Benchmarks.Where(b => b.BenchmarkId == id).ToList() : [.. suite.Benchmarks];
        return benchmarkId is not null && benchmarks.Count == 0
            ? null
            : [.. benchmarks.SelectMany(b => b.Items).Select(i => i.Input).Take(MaxInputs)];
    }
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
        return new AgentTarget(
            s.AgentId, s.AgentName, s.Version, s.Protocol, s.Endpoint, found.ProtectedApiKey, s.ModelConfigurationJson, s.WorkspaceId, found.IsPublic);
    }

    public async Task<SuiteInputs?> FindInputsAsync(Guid suiteId, Guid? benchmarkId, CancellationToken cancellationToken) =>
        await catalog.GetSuiteAsync(suiteId, cancellationToken) is { } suite && DatasetInputs.From(suite, benchmarkId) is { } inputs
            ? new SuiteInputs(suite.WorkspaceId, suite.IsPublic, inputs)
            : null;
}
