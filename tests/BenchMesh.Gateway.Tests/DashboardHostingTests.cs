using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// The dashboard served by the gateway from a built folder on disk (index.html and a hashed asset with its brotli and
/// gzip forms, as the Vite build writes them), in front of a real stand-in service: the app's pages and files are
/// served, compressed for clients that accept it, its client routes fall back to index.html for browsers, and the
/// API's routes and 404 problems are untouched.
/// </summary>
public sealed class DashboardHostingTests(Infrastructure infrastructure) : IAsyncLifetime, IClassFixture<Infrastructure>
{
    private const string IndexHtml = "<!doctype html><html><body><div id=\"root\"></div><script src=\"/assets/index-B3x9kQ1a.js\"></script></body></html>";
    private const string Script = "console.log('dashboard');";
    private const string ScriptPath = "/assets/index-B3x9kQ1a.js";

    private readonly string _dist = Path.Combine(Path.GetTempPath(), $"bm-dashboard-{Guid.NewGuid():N}");
    private StandInServices _service = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dist, "assets"));
        await File.WriteAllTextAsync(Path.Combine(_dist, "index.html"), IndexHtml);
        var script = Path.Combine(_dist, "assets", "index-B3x9kQ1a.js");
        await File.WriteAllTextAsync(script, Script);
        await File.WriteAllBytesAsync(script + ".br", Compress(Script, stream => new BrotliStream(stream, CompressionLevel.SmallestSize)));
        await File.WriteAllBytesAsync(script + ".gz", Compress(Script, stream => new GZipStream(stream, CompressionLevel.SmallestSize)));
        await File.WriteAllTextAsync(Path.Combine(_dist, "assets", "logo-C4y2.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        await File.WriteAllTextAsync(Path.Combine(_dist, "favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");

        _service = await StandInServices.OneForAllAsync(service =>
            service.Run(context => context.Response.WriteAsJsonAsync(new { received = context.Request.Path.Value })));
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        Directory.Delete(_dist, recursive: true);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/timeline/0b1c7ad0-1111-4111-8111-000000000001")]
    [InlineData("/head-to-head?a=x@1.0&b=x@1.1")]
    [InlineData("/stress-tests/r1")]
    public async Task A_browser_gets_the_app_at_the_root_and_at_its_client_routes_revalidated_every_time(string path)
    {
        await using var gateway = CreateGateway(_dist);

        using var response = await Browse(gateway.CreateClient(), path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(IndexHtml, await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl?.NoCache);
    }

    [Fact]
    public async Task Hashed_assets_are_cached_as_immutable_and_other_files_are_revalidated()
    {
        await using var gateway = CreateGateway(_dist);
        var client = gateway.CreateClient();

        using var script = await client.GetAsync(ScriptPath);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(Script, await script.Content.ReadAsStringAsync());
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True(script.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromDays(365), script.Headers.CacheControl?.MaxAge);
        Assert.Contains(script.Headers.CacheControl!.Extensions, e => e.Name == "immutable");

        using var icon = await client.GetAsync("/favicon.svg");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.True(icon.Headers.CacheControl?.NoCache);
    }

    [Theory]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("br;q=0, gzip;q=0.5", "gzip")]
    [InlineData("*", "br")]
    public async Task A_hashed_asset_is_sent_precompressed_in_the_best_encoding_the_client_accepts(string acceptEncoding, string expected)
    {
        await using var gateway = CreateGateway(_dist);
        using var request = new HttpRequestMessage(HttpMethod.Get, ScriptPath);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);

        using var response = await gateway.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([expected], response.Content.Headers.ContentEncoding);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Contains(response.Headers.CacheControl!.Extensions, e => e.Name == "immutable");
        Assert.Equal(TimeSpan.FromDays(365), response.Headers.CacheControl.MaxAge);
        var body = await response.Content.ReadAsStreamAsync();
        await using Stream decoded = expected == "br" ? new BrotliStream(body, CompressionMode.Decompress) : new GZipStream(body, CompressionMode.Decompress);
        Assert.Equal(Script, await new StreamReader(decoded).ReadToEndAsync());
    }

    [Fact]
    public async Task A_client_that_accepts_no_compression_gets_the_file_as_it_is_and_is_told_it_varies()
    {
        await using var gateway = CreateGateway(_dist);
        var client = gateway.CreateClient();

        using var identity = await client.GetAsync(ScriptPath);
        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", identity.Headers.Vary);
        Assert.Equal(Script, await identity.Content.ReadAsStringAsync());

        // A file built without compressed forms (too small to gain) does not vary.
        using var logo = new HttpRequestMessage(HttpMethod.Get, "/assets/logo-C4y2.svg");
        logo.Headers.TryAddWithoutValidation("Accept-Encoding", "br, gzip");
        using var plain = await client.SendAsync(logo);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("Accept-Encoding", plain.Headers.Vary);
    }

    [Fact]
    public async Task The_compressed_form_is_revalidated_by_its_own_etag()
    {
        await using var gateway = CreateGateway(_dist);
        var client = gateway.CreateClient();
        using var first = new HttpRequestMessage(HttpMethod.Get, ScriptPath);
        first.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        using var brotli = await client.SendAsync(first);
        using var identity = await client.GetAsync(ScriptPath);
        Assert.NotEqual(identity.Headers.ETag, brotli.Headers.ETag);

        using var again = new HttpRequestMessage(HttpMethod.Get, ScriptPath);
        again.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        again.Headers.IfNoneMatch.Add(brotli.Headers.ETag!);
        using var revalidated = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Contains("Accept-Encoding", revalidated.Headers.Vary);
    }

    [Fact]
    public async Task Api_routes_keep_priority_even_for_a_browser()
    {
        await using var gateway = CreateGateway(_dist);

        using var response = await Browse(gateway.ClientWithKey(gateway.OperatorKey), "/benchmarks/leaderboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/benchmarks/leaderboard", answer.GetProperty("received").GetString());
    }

    [Fact]
    public async Task The_api_index_moved_to_slash_api()
    {
        await using var gateway = CreateGateway(_dist);

        var index = await gateway.CreateClient().GetFromJsonAsync<JsonElement>("/api");

        Assert.Equal("BenchMesh", index.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("GET", "/timeline/x", "application/json")]
    [InlineData("GET", "/assets/missing-0000.js", "text/html")]
    [InlineData("POST", "/timeline/x", "text/html")]
    public async Task What_is_neither_a_file_nor_a_page_request_stays_a_404_problem(string method, string path, string accept)
    {
        await using var gateway = CreateGateway(_dist);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Accept.ParseAdd(accept);

        using var response = await gateway.CreateClient().SendAsync(request);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("/nowhere/dist")]
    public async Task Without_a_build_the_root_says_how_to_build_the_dashboard(string? path)
    {
        await using var gateway = CreateGateway(path);

        using var response = await Browse(gateway.CreateClient(), "/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("npm ci &amp;&amp; npm run build", await response.Content.ReadAsStringAsync());

        using var api = await gateway.CreateClient().GetAsync("/benchmarks/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<HttpResponseMessage> Browse(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*", 0.8));
        return await client.SendAsync(request);
    }

    private static byte[] Compress(string text, Func<Stream, Stream> compressor)
    {
        using var buffer = new MemoryStream();
        using (var compressed = compressor(buffer))
        {
            compressed.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private GatewayApp CreateGateway(string? dashboardPath) => _service.CreateGateway(infrastructure, "dashboard", dashboardPath);
}
