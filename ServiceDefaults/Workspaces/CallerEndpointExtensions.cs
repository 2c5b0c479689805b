using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.ServiceDefaults.Workspaces;

/// <summary>Marks endpoints that serve a workspace's data (<see cref="CallerEndpointExtensions.RequireCaller{TBuilder}"/>).</summary>
public sealed class RequiresCallerMetadata;

/// <summary>
/// How a service refuses requests that carry no authenticated caller: mark its public route groups with
/// <c>RequireCaller()</c> and call <c>app.UseCallers()</c> after <c>UseProblemDetailsErrors()</c>. Health probes,
/// OpenAPI documents and gRPC endpoints carry no such mark and pass untouched.
/// </summary>
public static class CallerEndpointExtensions
{
    /// <summary>The configuration key of the shared internal token; empty or absent switches the check off.</summary>
    public const string InternalTokenKey = "BenchMesh:InternalToken";

    public static TBuilder RequireCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequiresCallerMetadata());
        return builder;
    }

    /// <summary>
    /// 401 ProblemDetails for a marked endpoint reached without caller headers (or without the internal token, when
    /// one is configured). Runs after routing, so it knows the endpoint; WebApplication routes first by default.
    /// </summary>
    public static WebApplication UseCallers(this WebApplication app)
    {
        var internalToken = app.Configuration[InternalTokenKey];
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresCallerMetadata>() is null)
            {
                await next(context);
                return;
            }

            var tokenOk = string.IsNullOrEmpty(internalToken)
                || CallerHeaders.IsInternalTokenValid(context.Request.Headers[CallerHeaders.InternalToken].ToString(), internalToken);
            if (tokenOk && Caller.FromHeaders(context.Request.Headers) is not null)
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status401Unauthorized,
                    Title = "Authentication required.",
                    Detail = "Send an API key: Authorization: Bearer <key>.",
                },
            });
        });
        return app;
    }
}
