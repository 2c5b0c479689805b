using BenchMesh.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit on the RabbitMQ named by <c>ConnectionStrings:rabbitmq</c> (an <c>amqp://user:pass@host:port/vhost</c>
    /// URI). Queues are named <c>{serviceName}-{consumer}</c> in kebab case, so that two services consuming the
    /// same event each get their own queue while replicas of one service compete on it. Every endpoint retries
    /// (200 ms, 1 s, 3 s) and then moves the message to its <c>_error</c> queue, where a person can inspect it.
    /// </summary>
    public static IHostApplicationBuilder AddBenchMeshMessaging(
        this IHostApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.RabbitMq)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.RabbitMq} is not configured.");
        var prefetch = builder.Configuration.GetValue("Messaging:PrefetchCount", 16);

        builder.Services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, false));
            configure?.Invoke(x);
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                endpoint.UseMessageRetry(r => r.Intervals(200, 1000, 3000));
                endpoint.UseInMemoryOutbox(context);
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(connectionString));
                cfg.PrefetchCount = prefetch;
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }
}
