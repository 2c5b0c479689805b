using BenchMesh.Catalog;
using BenchMesh.Credentials;
using BenchMesh.Messaging;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Outbound;
using BenchMesh.Persistence;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Apis;
using BenchMesh.Runner.Consumers;
using BenchMesh.Runner.Data;
using BenchMesh.Runner.Execution;
using BenchMesh.Runner.Judging;
using BenchMesh.Runner.Scheduling;
using BenchMesh.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOpenApi();
        services.AddSingleton(TimeProvider.System);
        services.Configure<RunnerOptions>(builder.Configuration.GetSection(RunnerOptions.Section));

        // The database (and its migrations) before the bus, so consumers start on an up-to-date schema.
        builder.AddBenchMeshDbContext<RunnerDbContext>(ResourceNames.RunnerDb, "benchmesh_runner");
        services.AddOutboxRelay<RunnerDbContext>();

        builder.AddSuiteCatalog();
        // Agents' credentials come encrypted from the catalog; the runner decrypts them just before calling an agent.
        builder.AddAgentCredentials(KeyRingAccess.ReadsKeys);

        // Agents, judges and the preflight connect only to addresses the outbound guard allows (docs/runner.md).
        builder.AddOutboundGuard();
        services.AddSingleton<IAgentEndpointProbe>(sp =>
        {
            var preflight = sp.GetRequiredService<IOptions<RunnerOptions>>().Value.Preflight;
            return preflight.Enabled
                ? new TcpEndpointProbe(sp.GetRequiredService<OutboundGuard>(), TimeSpan.FromSeconds(preflight.TimeoutSeconds), sp.GetRequiredService<ILogger<TcpEndpointProbe>>())
                : new NoEndpointProbe();
        });

        // No retry or resilience handlers on this client: a measurement must see every failure and every delay.
        services.AddGuardedHttpClient(HttpAgentClient.HttpClientName, () => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = int.MaxValue,
            })
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        // Plain http:// agents are called on the socket path (keep-alive pool, timestamps at the socket, docs/timing.md).
        services.AddSingleton(sp => new AgentSocketTransport(
            sp.GetRequiredService<OutboundGuard>(), sp.GetRequiredService<IOptions<RunnerOptions>>().Value.AgentCalls.EventLoop));
        services.AddSingleton<IAgentClient, HttpJsonAgentClient>();
        services.AddSingleton<IAgentClient, OpenAiChatAgentClient>();
        // Process agents: off unless the operator enables them (Runner:ProcessAgents, docs/api.md "Process agents").
        services.Configure<ProcessAgentOptions>(builder.Configuration.GetSection(ProcessAgentOptions.Section));
        services.AddSingleton<ProcessAgentPolicy>();
        services.AddSingleton<IAgentClient, ProcessAgentClient>();
        services.AddSingleton<AgentClientResolver>();
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<BenchmarkExecutor>();
        // Scoped like the catalog it reads the judge agent from (a gRPC client per scope).
        services.AddScoped<ModelJudge>();

        services.AddScoped<RunProgressRecorder>();
        services.AddScoped<RunStarter>();
        builder.AddBenchmarkScheduling();
        services.AddSingleton<BenchmarkHeartbeat>();
        services.AddHostedService<RunSupervisor>();
        builder.AddBenchMeshMessaging(ResourceNames.Runner, x =>
        {
            x.AddConsumer<RunBenchmarkConsumer, RunBenchmarkConsumerDefinition>();
            x.AddConsumer<ExecutionScoredConsumer>();
            x.AddConsumer<BenchmarkFaultConsumer>();
            x.AddConsumer<ConfirmationRunsRequestedConsumer>();
        },
        // No in-process retry of a benchmark by the bus: it would call the agent for every item again and pay twice. The
        // consumer retries its own steps around the agent calls instead (see RunBenchmarkConsumer). A worker that fails
        // sends the command to the error queue, and BenchmarkFaultConsumer fails the benchmark.
        o => o.WithoutRetry<RunBenchmarkConsumer>());
        return builder;
    }
}
