using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;

namespace BenchMesh.EndToEnd.Tests;

/// <summary>
/// The whole of BenchMesh, started through its Aspire app host exactly as ./run.sh starts it (every service
/// a real process, the runner with two replicas), on this test run's own databases, RabbitMQ virtual host and
/// Redis key prefix, and on ports the orchestrator picks. <see cref="Gateway"/> sends the operator key the gateway wrote
/// at start, as ./run.sh's CLI does.
/// </summary>
public sealed class BenchMeshApp : IAsyncLifetime
{
    private DistributedApplication? _app;
    private readonly string _keyFolder = Path.Combine(Path.GetTempPath(), $"bm-e2e-{Guid.NewGuid():N}");

    public Infrastructure Infrastructure { get; } = new();
    public string RabbitMqUri { get; private set; } = "";
    public HttpClient Gateway { get; private set; } = null!;
    public Uri SampleAgents { get; private set; } = null!;

    /// <summary>The operator key (workspace default) from the gateway's key file.</summary>
    public string OperatorKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Infrastructure.InitializeAsync();
        RabbitMqUri = await Infrastructure.CreateVirtualHostAsync("e2e");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.BenchMesh_AppHost>(
        [
            $"--BenchMesh:Postgres={Infrastructure.PostgresServer}",
            $"--BenchMesh:DatabasePrefix={Infrastructure.DatabasePrefix("e2e")}",
            $"--BenchMesh:RabbitMq={RabbitMqUri}",
            $"--BenchMesh:Redis={Infrastructure.Redis}",
            $"--BenchMesh:CacheKeyPrefix={Infrastructure.CreateRedisPrefix("e2e")}",
            "--BenchMesh:GatewayPort=0",
            $"--BenchMesh:OperatorKeyFile={Path.Combine(_keyFolder, "admin-key")}",
            "--DcpPublisher:RandomizePorts=true",
            // Start-up health probes fail until each service listens; that is expected, not news.
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=None",
        ], cts.Token);
        _app = await appHost.BuildAsync(cts.Token);
        await _app.StartAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Gateway, cts.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.SampleAgents, cts.Token);

        // The gateway writes the key file before it reports healthy (its bootstrap runs at start).
        OperatorKey = (await File.ReadAllTextAsync(Path.Combine(_keyFolder, "admin-key"), cts.Token)).Trim();
        Gateway = _app.CreateHttpClient(ResourceNames.Gateway, "http");
        Gateway.Timeout = TimeSpan.FromMinutes(5);
        Gateway.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorKey);
        SampleAgents = _app.GetEndpoint(ResourceNames.SampleAgents, "http");
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Infrastructure.DisposeAsync();
        if (Directory.Exists(_keyFolder))
        {
            Directory.Delete(_keyFolder, recursive: true);
        }
    }
}

/// <summary>One app host for every end-to-end test class: starting it takes the better part of a minute.</summary>
[CollectionDefinition(Name)]
public sealed class BenchMeshAppCollection : ICollectionFixture<BenchMeshApp>
{
    public const string Name = "BenchMesh app";
}
