using System.Text.Json;
using BenchMesh.ServiceDefaults;
using BenchMesh.Stress.Catalog;
using BenchMesh.Stress.Data;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RabbitMQ.Client;

namespace BenchMesh.Stress.Tests;

/// <summary>Stands in for the Suites catalog: the agents a test registers, pointing at the in-test agent.</summary>
public sealed class FakeAgentCatalog : IAgentCatalog
{
    private readonly Dictionary<(Guid, string), AgentTarget> _versions = [];
    private readonly Dictionary<Guid, (Dictionary<Guid, string[]> Benchmarks, string Workspace, bool IsPublic)> _suites = [];
    private readonly Lock _lock = new();

    /// <summary>A suite of benchmarks (id → dataset inputs) of <paramref name="workspace"/>, as the Suites catalog would serve it.</summary>
    public Guid RegisterSuite(Dictionary<Guid, string[]> benchmarks, string workspace = Callers.DefaultWorkspace, bool isPublic = false)
    {
        var suiteId = Guid.NewGuid();
        lock (_lock)
        {
            _suites[suiteId] = (benchmarks, workspace, isPublic);
        }

        return suiteId;
    }

    public Task<SuiteInputs?> FindInputsAsync(Guid suiteId, Guid? benchmarkId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_suites.TryGetValue(suiteId, out var suite) || (benchmarkId is { } b && !suite.Benchmarks.ContainsKey(b)))
            {
                return Task.FromResult<SuiteInputs?>(null);
            }

            var inputs = suite.Benchmarks.Where(kv => benchmarkId is null || kv.Key == benchmarkId).SelectMany(kv => kv.Value).ToList();
            return Task.FromResult<SuiteInputs?>(new SuiteInputs(suite.Workspace, suite.IsPublic, inputs));
        }
    }

    /// <summary>An agent of <paramref name="workspace"/> (public or not), as the Suites catalog would serve it.</summary>
    /// <param name="protectedApiKey">The agent's credential as the catalog serves it: encrypted with the key ring.</param>
    public AgentTarget Register(
        string protocol, string endpoint, string version = "1.0", string workspace = Callers.DefaultWorkspace, bool isPublic = false,
        string? protectedApiKey = null)
    {
        var agent = new AgentTarget(Guid.NewGuid(), "stress-target", version, protocol, endpoint, protectedApiKey, "{}", workspace, isPublic);
        lock (_lock)
        {
            _versions[(agent.AgentId, version)] = agent;
        }

        return agent;
    }

    public Task<AgentTarget?> FindAgentVersionAsync(Guid agentId, string? version, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var match = _versions.Values.Where(a => a.AgentId == agentId && (version is null || a.Version == version)).LastOrDefault();
            return Task.FromResult(match);
        }
    }
}

/// <summary>The Stress service on its own database and vhost, with the fake catalog and a test agent.</summary>
public sealed class StressServiceFixture : IAsyncLifetime
{
    private readonly Infrastructure _infrastructure = new();

    /// <summary>For tests that need an instance of their own (database and virtual host dropped with the fixture).</summary>
    public Infrastructure Infrastructure => _infrastructure;

    public TestAgentServer Agent { get; } = new();
    public FakeAgentCatalog Catalog { get; } = new();
    public WebApplicationFactory<StressDbContext> App { get; private set; } = null!;
    public string RabbitMqUri { get; private set; } = "";

    /// <summary>The service's database, which holds its key ring too.</summary>
    public string Database { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Task.WhenAll(_infrastructure.InitializeAsync(), Agent.InitializeAsync());
        Database = _infrastructure.CreateDatabase("stress");
        RabbitMqUri = await _infrastructure.CreateVirtualHostAsync("stress");
        App = CreateApp(Database, RabbitMqUri, Catalog);
        _ = App.Server;
    }

    /// <summary>
    /// A Stress service host (not yet started) on the given database and vhost, with extra settings. The test agents
    /// listen on loopback, which the outbound guard refuses unless allowed: allowed here unless a setting says otherwise.
    /// </summary>
    public static WebApplicationFactory<StressDbContext> CreateApp(
        string database, string rabbitMqUri, IAgentCatalog catalog, IReadOnlyDictionary<string, string>? settings = null) =>
        new WebApplicationFactory<StressDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{ResourceNames.StressDb}", database);
            // The key ring in the same database (its own schema, keys): one database per instance.
            b.UseSetting($"ConnectionStrings:{ResourceNames.KeysDb}", database);
            b.UseSetting($"ConnectionStrings:{ResourceNames.RabbitMq}", rabbitMqUri);
            b.UseSetting("Outbound:AllowLoopback", "true");
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                b.UseSetting(key, value);
            }

            b.ConfigureTestServices(s => s.RemoveAll<IAgentCatalog>().AddSingleton(catalog).AddConsumedMessages());
        });

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Agent.DisposeAsync();
        await _infrastructure.DisposeAsync();
    }

    public async Task<T> WithDbAsync<T>(Func<StressDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<StressDbContext>());
    }
}
