using BenchMesh.Catalog;
using BenchMesh.Messaging;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Regression.Consumers;
using BenchMesh.Regression.Data;
using BenchMesh.Regression.Detection;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.Regression.Extensions;

public static class Extensions
{
    public const string ServiceName = ResourceNames.Regression;

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IRegressionDetector, ThresholdRegressionDetector>();
        // Suites tells an agent without scored executions from an id it never registered.
        builder.AddSuiteCatalog();
        builder.Services.AddOptions<RegressionOptions>()
            .BindConfiguration("Regression")
            .Validate(o => DetectionOptions.IsValidThreshold(o.Threshold), "Regression:Threshold must be in (0, 10].")
            .ValidateOnStart();

        // The database first: its migrations run before the bus starts delivering ExecutionScored.
        builder.AddBenchMeshDbContext<RegressionDbContext>(ResourceNames.RegressionDb, "regression");
        builder.Services.AddOutboxRelay<RegressionDbContext>();
        builder.AddBenchMeshMessaging(ServiceName, x => x.AddConsumer<ExecutionScoredConsumer>());
        return builder;
    }
}
