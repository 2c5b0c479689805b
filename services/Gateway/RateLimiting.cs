using System.Globalization;
using System.Threading.RateLimiting;
using BenchMesh.Gateway.Keys;
using Microsoft.AspNetCore.RateLimiting;

namespace BenchMesh.Gateway;

/// <summary>
/// A per-client fixed window on the public API (<c>Gateway:RateLimit:PermitsPerMinute</c>, default 6,000;
/// 0 switches it off): one window per API key (by key id, so one key's traffic cannot use up another's, even behind one
/// address), and one per IP address for requests without a valid key. It runs after authentication, which is what tells
/// a valid key from a made-up one: partitioning on the unverified id would let a client escape its limit by inventing ids.
/// Health probes are never limited. A rejected request gets 429 ProblemDetails with
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
                        PartitionOf(context),
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
                        Detail = $"This key (or address, without a key) may send {permits} requests a minute; retry after the Retry-After header's seconds.",
                    },
                });
            };
        });
        return builder;
    }

    /// <summary>The authenticated key's id, else the client's address.</summary>
    private static string PartitionOf(HttpContext context) =>
        context.User.ToCaller() is { } caller
            ? $"key:{caller.KeyId}"
            : $"ip:{context.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";
}
