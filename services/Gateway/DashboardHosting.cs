using System.Net;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace BenchMesh.Gateway;

/// <summary>
/// The benchmark dashboard (services/Dashboard, a Vite build) served at <c>/</c> from the folder named by
/// <c>Gateway:DashboardPath</c> (the app host passes services/Dashboard/dist). Its files and pages need no key: the
/// app asks for one and sends it to the API itself. The API keeps priority: static files are served only where no
/// route matched, and the single-page fallback (index.html for the app's client routes such as /timeline/{id}) is
/// the lowest-priority endpoint and answers only GETs that accept text/html; anything else still gets the API's
/// 404 problem. Vite names the files under assets/ by their content hash, so they are cached for a year as
/// immutable; everything else, index.html first, must be revalidated so a new build shows at once. The build also
/// writes each asset brotli- and gzip-compressed beside it (<c>x.js.br</c>, <c>x.js.gz</c>, see vite.config.ts), and a
/// browser that accepts one of them gets it with its Content-Encoding: compressed once at build time at the highest
/// level rather than on every request.
/// </summary>
public static class DashboardHosting
{
    public const string PathSetting = "Gateway:DashboardPath";

    private const string ImmutableAssets = "/assets";

    /// <summary>The precompressed forms the build writes, the preferred first (brotli is the smaller).</summary>
    private static readonly (string Encoding, string Suffix)[] Precompressed = [("br", ".br"), ("gzip", ".gz")];

    public static WebApplication MapDashboard(this WebApplication app)
    {
        var configured = app.Configuration[PathSetting];
        var root = string.IsNullOrWhiteSpace(configured) ? null : Path.GetFullPath(configured);
        if (root is null || !File.Exists(Path.Combine(root, "index.html")))
        {
            // Decided once at start-up: a dashboard built later is served after a restart (./run.sh builds it first).
            app.MapFallback(context => AcceptsHtml(context.Request)
                    ? NotBuiltAsync(context, root)
                    : NotFoundAsync(context))
                .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.Use((context, next) =>
        {
            ChoosePrecompressed(context, files);
            return next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new UncompressedContentTypes(),
            OnPrepareResponse = static file =>
            {
                SetCaching(file.Context);
                SetContentEncoding(file);
            },
        });
        var index = files.GetFileInfo("index.html");
        app.MapFallback(context => AcceptsHtml(context.Request)
                ? SendIndexAsync(context, index)
                : NotFoundAsync(context))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        return app;
    }

    /// <summary>
    /// For a file that has precompressed forms beside it: says the answer varies by Accept-Encoding, and points the
    /// request at the best form the client accepts (the static files middleware then serves that file, with its own
    /// ETag and length). Requests an endpoint answers (the API, the pages' fallback) are left alone.
    /// </summary>
    private static void ChoosePrecompressed(HttpContext context, IFileProvider files)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (context.GetEndpoint()?.RequestDelegate is not null
            || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            || string.IsNullOrEmpty(path) || !Path.HasExtension(path))
        {
            return;
        }

        var forms = Precompressed.Where(form => files.GetFileInfo(path + form.Suffix).Exists).ToList();
        if (forms.Count == 0)
        {
            return;
        }

        context.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
        var accepted = request.GetTypedHeaders().AcceptEncoding;
        foreach (var (encoding, suffix) in forms)
        {
            if (accepted.Any(value => (value.Quality ?? 1) > 0 && (value.Value.Equals(encoding, StringComparison.OrdinalIgnoreCase) || value.Value == "*")))
            {
                request.Path = path + suffix;
                return;
            }
        }
    }

    /// <summary>A precompressed file is its original's content, encoded: <c>x.js.br</c> is JavaScript in brotli.</summary>
    private static void SetContentEncoding(StaticFileResponseContext file)
    {
        foreach (var (encoding, suffix) in Precompressed)
        {
            if (file.File.Name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                file.Context.Response.Headers.ContentEncoding = encoding;
            }
        }
    }

    /// <summary>The content type of a file by its name, read through a compression suffix.</summary>
    private sealed class UncompressedContentTypes : IContentTypeProvider
    {
        private readonly FileExtensionContentTypeProvider _types = new();

        public bool TryGetContentType(string subpath, out string contentType)
        {
            foreach (var (_, suffix) in Precompressed)
            {
                if (subpath.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return _types.TryGetContentType(subpath[..^suffix.Length], out contentType!);
                }
            }

            return _types.TryGetContentType(subpath, out contentType!);
        }
    }

    private static bool AcceptsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static void SetCaching(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = context.Request.Path.StartsWithSegments(ImmutableAssets)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        headers.XContentTypeOptions = "nosniff";
    }

    private static async Task SendIndexAsync(HttpContext context, IFileInfo index)
    {
        SetCaching(context);
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.ContentLength = index.Length;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await context.Response.SendFileAsync(index, context.RequestAborted);
        }
    }

    /// <summary>No body: the status-code pages of UseProblemDetailsErrors turn it into the API's 404 problem.</summary>
    private static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static Task NotBuiltAsync(HttpContext context, string? root)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/html; charset=utf-8";
        var where = root is null
            ? $"<code>{PathSetting}</code> is not set (the app host sets it to services/Dashboard/dist)"
            : $"<code>{WebUtility.HtmlEncode(Path.Combine(root, "index.html"))}</code> does not exist";
        return context.Response.WriteAsync($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>BenchMesh: the dashboard is not built</title></head>
            <body>
            <h1>BenchMesh</h1>
            <p>The API is up, but the dashboard is not built: {where}.</p>
            <p>Build it with <code>cd services/Dashboard &amp;&amp; npm ci &amp;&amp; npm run build</code> and restart
            BenchMesh (<code>./run.sh</code> does both). The API's routes are listed in docs/api.md.</p>
            </body></html>
            """, context.RequestAborted);
    }
}
