using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace BenchMesh.Gateway;

/// <summary>
/// A per-client fixed window on the public API (<c>Gateway:RateLimit:PermitsPerMinute</c>, default 6,000;
/// 0 switches it off). Health probes are never limited. A rejected request gets 429 ProblemDetails with
/// <c>Retry-After</c>, so clients (the CLI among them) know when to come back.
/// </summary>
public static class RateLimiting
{
    public static IHostApplicationBuilder AddPublicApiRateLimit(this IHostApplicationBuilder builder)
    {
        var permits = builder.Configuration.GetValue("Gateway:RateLimit:PermitsPerMinute", 6000);
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                permits <= 0 || context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath) || context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath)
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetFixedWindowLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.OnRejected = async (rejected, ct) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                var problems = rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests.",
                        Detail = $"This client may send {permits} requests a minute; retry after the Retry-After header's seconds.",
                    },
                });
            };
        });
        return builder;
    }
}
