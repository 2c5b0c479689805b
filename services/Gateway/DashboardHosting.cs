using System.Net;
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
/// immutable; everything else, index.html first, must be revalidated so a new build shows at once.
/// </summary>
public static class DashboardHosting
{
    public const string PathSetting = "Gateway:DashboardPath";

    private const string ImmutableAssets = "/assets";

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
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = static file => SetCaching(file.Context),
        });
        var index = files.GetFileInfo("index.html");
        app.MapFallback(context => AcceptsHtml(context.Request)
                ? SendIndexAsync(context, index)
                : NotFoundAsync(context))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        return app;
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
