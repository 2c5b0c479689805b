using BenchMesh.Catalog;
using BenchMesh.Messaging;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Regression.Consumers;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.Statistics.Engine;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.Regression.Extensions;

public static class Extensions
{
    public const string ServiceName = ResourceNames.Regression;

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        // Suites tells an agent without scored executions from an id it never registered.
        builder.AddSuiteCatalog();
        builder.Services.AddSingleton<SuiteThresholds>();
        builder.Services.AddSingleton<AgentHistoryCache>();
        builder.Services.AddOptions<RegressionOptions>()
            .BindConfiguration("Regression")
            .Validate(o => o.Thresholds.All(t => MetricRegistry.Default.TryGet(t.Key, out var m) && MetricRegistry.IsValidThreshold(m.Scale, t.Value)),
                "Regression:Thresholds: every key must be a known metric with a positive threshold (below 1 for proportions).")
            .Validate(o => o.JudgementConcurrency >= 0, "Regression:JudgementConcurrency must be 0 (half the cores) or more.")
            .ValidateOnStart();

        // The database first: its migrations run before the bus starts delivering ExecutionScored.
        builder.AddBenchMeshDbContext<RegressionDbContext>(ResourceNames.RegressionDb, "regression");
        builder.Services.AddOutboxRelay<RegressionDbContext>();
        // Judgements at once per process: RegressionOptions.JudgementConcurrency says why it is not the prefetch count.
        var judgements = (builder.Configuration.GetSection("Regression").Get<RegressionOptions>() ?? new RegressionOptions())
            .ConcurrentJudgements(Environment.ProcessorCount);
        builder.AddBenchMeshMessaging(ServiceName, x => x.AddConsumer<ExecutionScoredConsumer>()
            .Endpoint(e => e.ConcurrentMessageLimit = judgements));
        return builder;
    }
}
