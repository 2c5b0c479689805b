using System.Collections.Concurrent;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>An in-process Suites catalog the tests fill with agents and suites.</summary>
public sealed class FakeSuiteCatalog : ISuiteCatalog
{
    private readonly ConcurrentDictionary<Guid, CatalogAgentVersion> _agents = new();
    private readonly ConcurrentDictionary<(Guid AgentId, string Version), CatalogAgentVersion> _otherVersions = new();
    private readonly ConcurrentDictionary<Guid, CatalogSuite> _suites = new();
    private int _agentLookups;
    private int _agentLookupsBeforeOutage = int.MaxValue;

    /// <summary>Calls of <see cref="GetAgentVersionAsync"/> so far (the API's and the workers').</summary>
    public int AgentLookups => Volatile.Read(ref _agentLookups);

    /// <summary>Answers the next <paramref name="lookups"/> agent lookups, then fails every one as Suites being down would.</summary>
    public void FailAgentLookupsAfter(int lookups) => Volatile.Write(ref _agentLookupsBeforeOutage, AgentLookups + lookups);

    /// <summary>
    /// The key ring the credentials are encrypted with, as Suites would (set by <see cref="RunnerHost.StartAsync"/> on the
    /// runner's key ring database); needed only for agents with an API key.
    /// </summary>
    public KeyRingHost? KeyRing { get; set; }

    /// <param name="apiKey">The credential in plain text; the catalog holds and serves it encrypted.</param>
    /// <param name="workspaceId">The agent's workspace: the default one, which the tests' default caller is in.</param>
    public CatalogAgentVersion AddAgent(
        string protocol, string endpoint, string? apiKey = null, Pricing? pricing = null, string workspaceId = Callers.DefaultWorkspace)
    {
        var protectedApiKey = apiKey is null
            ? null
            : (KeyRing ?? throw new InvalidOperationException("This catalog has no key ring to encrypt credentials with.")).Credentials.Protect(apiKey);
        var agent = new CatalogAgentVersion(new AgentSnapshot
        {
            AgentId = Guid.NewGuid(),
            AgentName = "sample-" + protocol,
            Version = "1.0",
            Protocol = protocol,
            Endpoint = endpoint,
            Pricing = pricing ?? new Pricing(1m, 2m, 0m),
            ModelConfigurationJson = """{"model":"sample","temperature":0}""",
            HasApiKey = apiKey is not null,
            WorkspaceId = workspaceId,
        }, protectedApiKey);
        _agents[agent.Snapshot.AgentId] = agent;
        return agent;
    }

    /// <summary>Registers another version of <paramref name="agent"/>, at its own endpoint.</summary>
    public CatalogAgentVersion AddVersion(CatalogAgentVersion agent, string version, string endpoint)
    {
        var other = agent with { Snapshot = agent.Snapshot with { Version = version, Endpoint = endpoint } };
        _otherVersions[(agent.Snapshot.AgentId, version)] = other;
        return other;
    }

    /// <summary>Unregisters the agent, as if it had been deleted from Suites.</summary>
    public void RemoveAgent(Guid agentId) => _agents.TryRemove(agentId, out _);

    /// <summary>A suite created without a workspace, as before workspaces: it belongs to the default one.</summary>
    public CatalogSuite AddSuite(params BenchmarkDefinition[] benchmarks) => AddSuiteIn(null, benchmarks);

    public CatalogSuite AddSuiteIn(string? workspaceId, params BenchmarkDefinition[] benchmarks)
    {
        var suite = new CatalogSuite(Guid.NewGuid(), "arithmetic-and-text", "reasoning", benchmarks) { WorkspaceId = workspaceId };
        _suites[suite.SuiteId] = suite;
        return suite;
    }

    public static BenchmarkDefinition Benchmark(string name, params (string Id, string Input, string Expected)[] items) => new()
    {
        BenchmarkId = Guid.NewGuid(),
        Name = name,
        Category = "math",
        RubricJson = """{"type":"exact_match"}""",
        Constraints = new BenchmarkConstraints { TimeoutSeconds = 5 },
        Items = items.Select(i => new DatasetItem { Id = i.Id, Input = i.Input, Expected = i.Expected }).ToList(),
    };

    public Task<CatalogAgent?> GetAgentAsync(Guid agentId, CancellationToken ct) =>
        Task.FromResult(_agents.TryGetValue(agentId, out var agent)
            ? ToAgent(agent)
            : null);

    public Task<CatalogAgentVersion?> GetAgentVersionAsync(Guid agentId, string? version, CancellationToken ct) =>
        Interlocked.Increment(ref _agentLookups) > Volatile.Read(ref _agentLookupsBeforeOutage)
            ? throw new SuiteCatalogUnavailableException("The Suites catalog is unavailable (test outage).")
            : Task.FromResult(_agents.TryGetValue(agentId, out var agent) && (string.IsNullOrEmpty(version) || version == agent.Snapshot.Version)
            ? agent
            : version is not null && _otherVersions.TryGetValue((agentId, version), out var other) ? other : null);

    public Task<IReadOnlyList<CatalogAgent>> ListAgentsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<CatalogAgent>>([.. _agents.Values
            .Select(ToAgent)]);

    public Task<CatalogSuite?> GetSuiteAsync(Guid suiteId, CancellationToken ct) =>
        Task.FromResult(_suites.GetValueOrDefault(suiteId));

    private static CatalogAgent ToAgent(CatalogAgentVersion agent) =>
        new(agent.Snapshot.AgentId, agent.Snapshot.AgentName, agent.Snapshot.WorkspaceId!, agent.Snapshot.Protocol, [agent.Snapshot.Version]);
}
