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
        this IHostApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? configure = null,
        Action<MessagingOptions>? options = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.RabbitMq)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.RabbitMq} is not configured.");
        var prefetch = builder.Configuration.GetValue("Messaging:PrefetchCount", 16);

        var formatter = new KebabCaseEndpointNameFormatter(serviceName, false);
        var messaging = new MessagingOptions(formatter);
        options?.Invoke(messaging);

        builder.Services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(formatter);
            configure?.Invoke(x);
            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                if (!messaging.NotRetried.Contains(name))
                {
                    endpoint.UseMessageRetry(r => r.Intervals(200, 1000, 3000));
                }

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

/// <summary>Per-service adjustments of <see cref="MessagingExtensions.AddBenchMeshMessaging"/>.</summary>
public sealed class MessagingOptions(IEndpointNameFormatter formatter)
{
    internal HashSet<string> NotRetried { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// No in-process retry for this consumer's endpoint: for work that must not be repeated on a transient
    /// error (a benchmark's agent calls cost money). A failure moves the message to the error queue at once.
    /// </summary>
    public MessagingOptions WithoutRetry<TConsumer>() where TConsumer : class, IConsumer
    {
        NotRetried.Add(formatter.Consumer<TConsumer>());
        return this;
    }
}
