using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using BenchMesh.ServiceDefaults;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every BenchMesh service shares: OpenTelemetry, health checks, service discovery, snake_case JSON
/// and ProblemDetails for every error.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Readiness: every health check (database, bus).</summary>
    public const string HealthPath = "/health";

    /// <summary>Liveness: the process answers.</summary>
    public const string AlivePath = "/alive";

    /// <summary>The JSON options of the public API: snake_case names, as the seed's.</summary>
    public static readonly JsonSerializerOptions PublicJson = UsePublicNaming(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>snake_case property names; dictionary keys (item ids, metric names) as they are.</summary>
    private static JsonSerializerOptions UsePublicNaming(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        return options;
    }

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        builder.Services.AddProblemDetails();

        // Binding failures (malformed JSON, wrong types) throw in every environment, so that the exception
        // handler answers them with a ValidationProblem naming the field instead of an empty 400.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BenchMesh.ServiceDefaults.MalformedJsonExceptionHandler>();
        builder.Services.Configure<JsonOptions>(o => StrictRequestJson.Apply(UsePublicNaming(o.SerializerOptions)));
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit", "BenchMesh.*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("MassTransit", "Npgsql", "BenchMesh.*")
                .AddAspNetCoreInstrumentation(o =>
                    // Health probes would drown the traces of real work.
                    o.Filter = context => !context.Request.Path.StartsWithSegments(HealthPath)
                                          && !context.Request.Path.StartsWithSegments(AlivePath))
                .AddGrpcClientInstrumentation()
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Health endpoints (<c>/health</c>: ready, every check; <c>/alive</c>: the process answers), and the
    /// error pipeline that turns every failure, malformed JSON included, into ProblemDetails.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthPath);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }

    /// <summary>
    /// Exception handler and status-code pages that answer with RFC 9457 ProblemDetails, and the guard that refuses
    /// query values PostgreSQL cannot store (<see cref="RequestValueGuard"/>).
    /// </summary>
    public static WebApplication UseProblemDetailsErrors(this WebApplication app)
    {
        app.UseExceptionHandler(errorApp => errorApp.Run(async context =>
        {
            var feature = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>();
            var (status, title) = feature?.Error switch
            {
                BadHttpRequestException bad => (bad.StatusCode, "The request is malformed."),
                JsonException => (StatusCodes.Status400BadRequest, "The request body is not valid JSON."),
                _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred."),
            };
            var detail = status < 500 ? RequestValueGuard.ClientMessage(feature!.Error) : null;
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            context.Response.StatusCode = status;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = status, Title = title, Detail = detail },
                Exception = feature?.Error,
            });
        }));
        app.UseStatusCodePages();
        app.UseMiddleware<RequestValueGuard>();
        return app;
    }

    /// <summary>
    /// The PostgreSQL connection string for one service's database: <c>ConnectionStrings:{name}</c>, or else
    /// <c>ConnectionStrings:postgres</c> with <c>Database={defaultDatabase}</c>.
    /// </summary>
    public static string GetPostgresConnectionString(this IConfiguration configuration, string name, string defaultDatabase)
    {
        var specific = configuration.GetConnectionString(name);
        if (!string.IsNullOrWhiteSpace(specific))
        {
            return specific;
        }

        var server = configuration.GetConnectionString(BenchMesh.ServiceDefaults.ResourceNames.Postgres)
            ?? throw new InvalidOperationException(
                $"Neither ConnectionStrings:{name} nor ConnectionStrings:{BenchMesh.ServiceDefaults.ResourceNames.Postgres} is configured.");
        var parts = server.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.TrimStart().StartsWith("Database=", StringComparison.OrdinalIgnoreCase));
        return string.Join(';', parts.Append($"Database={defaultDatabase}"));
    }
}
