using Microsoft.Extensions.Hosting;
using BenchMesh.AppHost;
using BenchMesh.ServiceDefaults;

var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: the real PostgreSQL, RabbitMQ and Redis that deploy/local/up.sh starts on loopback
// (no Docker here). Connection strings carry Aspire's names; see Infrastructure.cs for the settings.
var infrastructure = InfrastructureSettings.From(builder.Configuration);
var rabbit = builder.AddFixedConnectionString(ResourceNames.RabbitMq, infrastructure.RabbitMq);
var redis = builder.AddFixedConnectionString(ResourceNames.Redis, infrastructure.Redis);
var suitesDb = builder.AddDatabase(infrastructure, ResourceNames.SuitesDb, "suites");
var runnerDb = builder.AddDatabase(infrastructure, ResourceNames.RunnerDb, "runner");
var scoringDb = builder.AddDatabase(infrastructure, ResourceNames.ScoringDb, "scoring");
var leaderboardDb = builder.AddDatabase(infrastructure, ResourceNames.LeaderboardDb, "leaderboard");
var regressionDb = builder.AddDatabase(infrastructure, ResourceNames.RegressionDb, "regression");
var stressDb = builder.AddDatabase(infrastructure, ResourceNames.StressDb, "stress");
var gatewayDb = builder.AddDatabase(infrastructure, ResourceNames.GatewayDb, "gateway");
// The key ring encrypting agent credentials: Suites encrypts, the Runner and Stress decrypt (services/Credentials).
var keysDb = builder.AddDatabase(infrastructure, ResourceNames.KeysDb, "keys");

// Suites owns agents and suites; the other services read them over gRPC (services/Catalog).
var suites = builder.AddProject<Projects.BenchMesh_Suites>(ResourceNames.Suites)
    .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
    .WithReference(suitesDb).WithReference(keysDb);

// Runner workers are competing consumers of one queue: more replicas = more benchmarks in parallel.
var runner = builder.AddProject<Projects.BenchMesh_Runner>(ResourceNames.Runner)
    .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
    .WithReplicas(infrastructure.RunnerReplicas)
    .WithReference(runnerDb).WithReference(rabbit).WithReference(keysDb)
    .WithReference(suites).WaitFor(suites);

// Process agents are commands the runner starts on its machine: off by default, enabled here for the sample process
// agents only (services/SampleAgents/process/, e.g. the calculator in front of bc; docs/api.md, "Process agents").
var sampleProcessAgents = Path.Combine(Path.GetDirectoryName(new Projects.BenchMesh_SampleAgents().ProjectPath)!, "process") + "/";
runner.WithEnvironment("Runner__ProcessAgents__Enabled", "true")
    .WithEnvironment("Runner__ProcessAgents__AllowedExecutables__0", sampleProcessAgents);

// The outbound guard refuses loopback by default; on one machine the sample agents (and whatever agent the user starts
// beside BenchMesh) are on loopback, so the local stack allows it (docs/runner.md, "Outbound guard").
runner.WithEnvironment("Outbound__AllowLoopback", "true");

// Scoring and Regression ask Suites only to tell an unknown agent (404) from one with no results yet, so they
// reference it without waiting for it: scoring goes on while Suites starts.
var scoring = builder.AddProject<Projects.BenchMesh_Scoring>(ResourceNames.Scoring)
    .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
    .WithReference(scoringDb).WithReference(rabbit)
    .WithReference(suites);

var leaderboard = builder.AddProject<Projects.BenchMesh_Leaderboard>(ResourceNames.Leaderboard)
    .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
    .WithReference(leaderboardDb).WithReference(rabbit).WithReference(redis)
    .WithEnvironment("Leaderboard__CacheKeyPrefix", infrastructure.CacheKeyPrefix);

var regression = builder.AddProject<Projects.BenchMesh_Regression>(ResourceNames.Regression)
    .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
    .WithReference(regressionDb).WithReference(rabbit)
    .WithReference(suites);

// Stress instances each generate load; a run split across N workers needs N replicas that take shares
// (--BenchMesh:StressReplicas=N, default 1: on one machine, replicas measure each other; docs/stress.md).
var stress = builder.AddProject<Projects.BenchMesh_Stress>(ResourceNames.Stress)
    .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
    .WithReplicas(int.TryParse(builder.Configuration["BenchMesh:StressReplicas"], out var stressReplicas) && stressReplicas > 0 ? stressReplicas : 1)
    .WithReference(stressDb).WithReference(rabbit).WithReference(keysDb)
    .WithReference(suites).WaitFor(suites)
    .WithEnvironment("Outbound__AllowLoopback", "true");

var sampleAgents = builder.AddProject<Projects.BenchMesh_SampleAgents>(ResourceNames.SampleAgents)
    .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath);
// The sample agents listen on 5161 (their appsettings.json); a second stack on the same machine (the dashboard's browser
// tests) moves them with --BenchMesh:SampleAgentsPort=N, since the demo registers their address.
if (int.TryParse(builder.Configuration["BenchMesh:SampleAgentsPort"], out var sampleAgentsPort) && sampleAgentsPort > 0)
{
    var url = "http://127.0.0.1:" + sampleAgentsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
    sampleAgents.WithEnvironment("Kestrel__Endpoints__http__Url", url)
        .WithEndpoint("http", e =>
        {
            e.Port = sampleAgentsPort;
            e.TargetPort = sampleAgentsPort;
            e.IsProxied = false;
        });
}

// The public API: one gateway in front of every service. It waits for them so that the first request
// a user sends after start-up is answered.
var gateway = builder.AddProject<Projects.BenchMesh_Gateway>(ResourceNames.Gateway)
    .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
    .WithReference(gatewayDb)
    .WithReference(suites).WithReference(runner).WithReference(scoring)
    .WithReference(leaderboard).WithReference(regression).WithReference(stress)
    .WaitFor(suites).WaitFor(runner).WaitFor(scoring).WaitFor(leaderboard).WaitFor(regression).WaitFor(stress);
if (infrastructure.GatewayPort is { } port)
{
    gateway.WithEndpoint("http", e =>
    {
        e.Port = port;
        e.TargetHost = "127.0.0.1";
    });
}

// API keys (docs/api.md, "Authentication and workspaces"): the gateway makes the operator key on its first start and
// writes it to this file (./run.sh: .benchmesh/admin-key); without one, it logs how to get one.
if (infrastructure.OperatorKeyFile is { } operatorKeyFile)
{
    gateway.WithEnvironment("Gateway__OperatorKeyFile", operatorKeyFile);
}

// The services trust the caller headers only with this token, which only the gateway (and they) know: a fresh random one
// per start unless configured, so nothing on the machine can call a service directly as some workspace.
foreach (var service in new IResourceBuilder<ProjectResource>[] { suites, runner, scoring, leaderboard, regression, stress, gateway })
{
    service.WithEnvironment("BenchMesh__InternalToken", infrastructure.InternalToken);
}

// The benchmark dashboard (services/Dashboard): the gateway serves its Vite build, which ./run.sh makes with npm
// (docs/dashboard.md); --BenchMesh:DashboardPath points it at another build (the browser tests use this).
var dashboardPath = builder.Configuration["BenchMesh:DashboardPath"]
    ?? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(new Projects.BenchMesh_Gateway().ProjectPath)!, "..", "Dashboard", "dist"));
gateway.WithEnvironment("Gateway__DashboardPath", dashboardPath);

builder.Build().Run();
