using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace BenchMesh.Gateway;

/// <summary>
/// Conditional GETs for the public API, so that the dashboard's five-second polls cost a hash instead of a page of
/// JSON (docs/dashboard.md). A proxied <c>GET</c> answered <c>200</c> with a JSON body gets a weak ETag (a hash of the
/// body: the services build their answers afresh and have no version to offer), <c>Cache-Control: no-cache, private</c>
/// (a client may keep it but must revalidate; shared caches must not keep one caller's data) and
/// <c>Vary: Authorization</c> (the answer depends on the caller's key). A request whose <c>If-None-Match</c> names that
/// ETag gets <c>304 Not Modified</c> without a body. The service still does the work; the saving is the transfer and the
/// client's parsing and re-rendering.
/// </summary>
public static class ApiETags
{
    public static IHostApplicationBuilder AddApiETags(this IHostApplicationBuilder builder)
    {
        // YARP applies every registered ITransformProvider to every route, whoever registered the routes.
        builder.Services.AddSingleton<ITransformProvider, ETagTransformProvider>();
        return builder;
    }

    /// <summary>The weak ETag of a body: the first 128 bits of its SHA-256, in hex.</summary>
    public static string ETagOf(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return $"W/\"{Convert.ToHexStringLower(hash[..16])}\"";
    }

    /// <summary>Whether <c>If-None-Match</c> names <paramref name="etag"/> (weak comparison, RFC 9110 §13.1.2) or is <c>*</c>.</summary>
    public static bool Matches(StringValues ifNoneMatch, string etag)
    {
        if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return false;
        }

        var current = EntityTagHeaderValue.Parse(etag);
        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));
    }

    private static bool IsJson(System.Net.Http.Headers.MediaTypeHeaderValue? contentType) =>
        contentType?.MediaType is { } type
        && (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var http = context.HttpContext;
        var upstream = context.ProxyResponse;
        if (!HttpMethods.IsGet(http.Request.Method) || upstream is not { StatusCode: System.Net.HttpStatusCode.OK }
            || !IsJson(upstream.Content.Headers.ContentType) || upstream.Headers.ETag is not null)
        {
            return;
        }

        // The body is read once into a pooled buffer (BufferedBody), which becomes the content YARP then copies to the
        // client (it reads ProxyResponse.Content after the response transforms) and returns the buffer when it disposes
        // the response. HttpContent's own buffering (ReadAsByteArrayAsync) allocated a growing MemoryStream and a copy
        // of every body: about 45 KB of garbage for the default 12.6 KB leaderboard, the gateway's largest allocation
        // per request and the source of its GC pauses (docs/gateway.md).
        var body = await BufferedBody.ReadAsync(upstream.Content, http.RequestAborted);
        upstream.Content.Dispose();
        upstream.Content = body;
        var etag = ETagOf(body.Span);
        var headers = http.Response.Headers;
        // The length is known now: Kestrel sends Content-Length instead of chunking what the service chunked.
        http.Response.ContentLength = body.Length;
        headers.ETag = etag;
        headers.CacheControl = "no-cache, private";
        headers.Append(HeaderNames.Vary, HeaderNames.Authorization);
        if (Matches(http.Request.Headers.IfNoneMatch, etag))
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            http.Response.ContentLength = null;
            headers.ContentType = StringValues.Empty;
            context.SuppressResponseBody = true;
        }
    }

    private sealed class ETagTransformProvider : ITransformProvider
    {
        public void ValidateRoute(TransformRouteValidationContext context)
        {
        }

        public void ValidateCluster(TransformClusterValidationContext context)
        {
        }

        public void Apply(TransformBuilderContext context) => context.AddResponseTransform(ApplyAsync);
    }
}
