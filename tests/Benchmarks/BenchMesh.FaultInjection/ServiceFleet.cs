using System.Security.Cryptography;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.FaultInjection;

/// <summary>
/// BenchMesh's services as the app host runs them (AppHost/AppHost.cs), started here as plain processes from their
/// Release build output so that one can be killed: Suites, two Runner workers, two Scoring instances, Leaderboard and
/// Regression, on the private servers. Each service uses its default database name on the private PostgreSQL. The
/// gateway, Stress and the sample agents take no part in a run and are left out: the program calls the services directly
/// (a run must reach whichever runner is alive), so it does what the gateway does for an API key, sending
/// <see cref="Caller"/>'s headers and the fleet's own internal token (ServiceDefaults/Workspaces).
/// </summary>
public sealed class ServiceFleet : IAsyncDisposable
{
    public const int RunnerReplicas = 2;
    public const int ScoringReplicas = 2;

    private readonly List<ManagedProcess> _all = [];

    /// <summary>Who the program is to the services: an admin of its own workspace, as an API key would make it.</summary>
    public Caller Caller { get; } = new("fault-injection", CallerRole.Admin, "fault-injection");

    /// <summary>The services' <c>BenchMesh:InternalToken</c>, new for each campaign as the app host makes one per start.</summary>
    public string InternalToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <param name="runnerReplicas">Runner workers (the scale-out benchmark varies them; the campaign runs two).</param>
    /// <param name="scoringReplicas">Scoring instances.</param>
    /// <param name="withReadModels">Also Leaderboard and Regression, which only read what Scoring publishes.</param>
    public ServiceFleet(string repositoryRoot, PrivateInfrastructure infrastructure, string logDirectory,
        int runnerReplicas = RunnerReplicas, int scoringReplicas = ScoringReplicas, bool withReadModels = true)
    {
        var suitesHttp = LoopbackPorts.Free();
        var suitesGrpc = LoopbackPorts.Free();
        var common = new Dictionary<string, string>
        {
            [$"ConnectionStrings__{ResourceNames.Postgres}"] = infrastructure.PostgresConnection,
            [$"ConnectionStrings__{ResourceNames.RabbitMq}"] = infrastructure.RabbitMqConnection,
            [$"ConnectionStrings__{ResourceNames.Redis}"] = infrastructure.RedisConnection,
            [$"services__{ResourceNames.Suites}__http__0"] = $"http://127.0.0.1:{suitesHttp}",
            [$"services__{ResourceNames.Suites}__{ResourceNames.GrpcEndpoint}__0"] = $"http://127.0.0.1:{suitesGrpc}",
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            // The Python agent listens on loopback, which the runner's outbound guard refuses unless the operator allows it.
            ["Outbound__AllowLoopback"] = "true",
            ["BenchMesh__InternalToken"] = InternalToken,
        };

        ManagedProcess Service(string project, string name, Dictionary<string, string> endpoints, int httpPort)
        {
            var output = Path.Combine(repositoryRoot, "services", project, "bin", "Release", "net10.0");
            var dll = Path.Combine(output, $"BenchMesh.{project}.dll");
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException($"{dll} is missing: build it first (tests/Benchmarks/fault-injection.sh does)");
            }

            var environment = new Dictionary<string, string>(common);
            foreach (var (key, value) in endpoints)
            {
                environment[key] = value;
            }

            // The working directory is the build output: that is where the service's appsettings.json is read from.
            var process = new ManagedProcess(name, output, ["dotnet", dll], environment,
                Path.Combine(logDirectory, $"{name}.log"), new Uri($"http://127.0.0.1:{httpPort}{ServiceDefaultsExtensions.HealthPath}"));
            _all.Add(process);
            return process;
        }

        ManagedProcess Web(string project, string name)
        {
            var port = LoopbackPorts.Free();
            return Service(project, name, new() { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }, port);
        }

        // Suites' appsettings.json names its two Kestrel endpoints (HTTP/1.1 and the h2c gRPC one): override both.
        Suites = Service("Suites", ResourceNames.Suites, new()
        {
            ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{suitesHttp}",
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{suitesGrpc}",
        }, suitesHttp);
        SuitesUrl = new Uri($"http://127.0.0.1:{suitesHttp}");
        Runners = [.. Enumerable.Range(1, runnerReplicas).Select(i => Web("Runner", $"{ResourceNames.Runner}-{i}"))];
        Scorings = [.. Enumerable.Range(1, scoringReplicas).Select(i => Web("Scoring", $"{ResourceNames.Scoring}-{i}"))];
        if (withReadModels)
        {
            Web("Leaderboard", ResourceNames.Leaderboard);
            Web("Regression", ResourceNames.Regression);
        }
    }

    public ManagedProcess Suites { get; }
    public Uri SuitesUrl { get; }
    public IReadOnlyList<ManagedProcess> Runners { get; }
    public IReadOnlyList<ManagedProcess> Scorings { get; }
    public IReadOnlyList<ManagedProcess> All => _all;

    /// <summary>The base address of a runner's API (any replica serves it).</summary>
    public static Uri BaseOf(ManagedProcess service) => new(service.HealthUrl!.GetLeftPart(UriPartial.Authority));

    /// <summary>Starts Suites first (the runner waits for it in the app host), then the others.</summary>
    public async Task StartAsync(HttpClient http, CancellationToken ct)
    {
        Suites.Start();
        await Suites.WaitHealthyAsync(http, TimeSpan.FromMinutes(3), ct);
        foreach (var service in _all.Where(s => s != Suites))
        {
            service.Start();
        }

        await EnsureHealthyAsync(http, ct);
    }

    /// <summary>Waits until every service answers healthy; one that has exited is reported and started again.</summary>
    public async Task<IReadOnlyList<string>> EnsureHealthyAsync(HttpClient http, CancellationToken ct)
    {
        var restarted = new List<string>();
        foreach (var service in _all.Where(s => !s.IsRunning))
        {
            service.Start();
            restarted.Add(service.Name);
        }

        await Task.WhenAll(_all.Select(s => s.WaitHealthyAsync(http, TimeSpan.FromMinutes(3), ct)));
        return restarted;
    }

    public async ValueTask DisposeAsync() => await Task.WhenAll(_all.Select(s => s.StopAsync(TimeSpan.FromSeconds(15))));
}
