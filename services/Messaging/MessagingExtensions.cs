using System.Text.Json;
using BenchMesh.Messaging.Resilience;
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
    /// same event each get their own queue while replicas of one service compete on it.
    /// <para>
    /// Every endpoint retries in two layers. A failure of infrastructure that passes (<see cref="TransientFailures"/>:
    /// PostgreSQL or RabbitMQ restarting, Suites unavailable) is retried with doubling waits for minutes
    /// (<see cref="TransientRetryOptions"/>, <c>Messaging:TransientRetry</c>), so an outage delays the work instead of
    /// failing it; any other exception is retried quickly (200 ms, 1 s, 3 s). Only then does the message go to its
    /// <c>_error</c> queue, where a person can inspect it, and MassTransit publishes its <c>Fault</c>. Consumers must be
    /// idempotent: a retry runs the whole consumer again.
    /// </para>
    /// <para>
    /// Retries run in memory, holding the message (RabbitMQ 3.10 here has no delayed-exchange plug-in for broker-side
    /// redelivery). No kill switch: while the database is down every message waits in a retry anyway, and one that
    /// outlives the budget should reach its <c>Fault</c> consumer, which records it on the run.
    /// </para>
    /// </summary>
    public static IHostApplicationBuilder AddBenchMeshMessaging(
        this IHostApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? configure = null,
        Action<MessagingOptions>? options = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.RabbitMq)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.RabbitMq} is not configured.");
        var prefetch = builder.Configuration.GetValue("Messaging:PrefetchCount", 16);

        var transient = builder.Configuration.GetSection(TransientRetryOptions.Section).Get<TransientRetryOptions>() ?? new TransientRetryOptions();
        builder.Services.Configure<TransientRetryOptions>(builder.Configuration.GetSection(TransientRetryOptions.Section));
        builder.Services.AddSingleton<TransientRetry>();
        var transientIntervals = transient.Intervals().ToArray();

        var formatter = new KebabCaseEndpointNameFormatter(serviceName, false);
        var messaging = new MessagingOptions(formatter);
        options?.Invoke(messaging);

        builder.Services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(formatter);
            // MassTransit 8.4+ reports anonymous usage telemetry to its maintainers over the internet by default. A
            // benchmarking service does not call home unasked (and where it cannot reach the internet, every start logged
            // the failed attempt as an error); an operator who wants to share it sets MASSTRANSIT_USAGE_TELEMETRY=true,
            // which MassTransit reads over this option.
            x.ConfigureUsageTelemetryOptions(telemetry => telemetry.Enabled = false);
            configure?.Invoke(x);
            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                if (!messaging.NotRetried.Contains(name))
                {
                    // The outer filter: outages. The inner one: everything else, quickly; a transient failure passes
                    // through it untouched to the outer one.
                    endpoint.UseMessageRetry(r =>
                    {
                        r.Intervals(transientIntervals);
                        r.Handle<Exception>(TransientFailures.IsTransient);
                    });
                    endpoint.UseMessageRetry(r =>
                    {
                        r.Intervals(200, 1000, 3000);
                        r.Ignore<Exception>(TransientFailures.IsTransient);
                    });
                }

                endpoint.UseInMemoryOutbox(context);
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(connectionString));
                // MassTransit writes its JSON indented by default: for the Runner's BenchmarkExecuted (100,000 samples)
                // that was about 20 MB of spaces and line breaks a message, written by the outbox relay and parsed by
                // Scoring (docs/timing.md, "Fifth pass"). Readers parse both layouts alike; nothing else changes.
                cfg.ConfigureJsonSerializerOptions(options => new JsonSerializerOptions(options) { WriteIndented = false });
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
