using System.Net;
using System.Text;
using BenchMesh.Gateway;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// Conditional GETs through the gateway, in front of one real stand-in service whose leaderboard the test changes:
/// a JSON answer carries a weak ETag of its body, the same ETag in If-None-Match gets 304 without a body, and a
/// changed body gets a new ETag and the body again.
/// </summary>
public sealed class ETagTests(Infrastructure infrastructure) : IAsyncLifetime, IClassFixture<Infrastructure>
{
    private StandInServices _service = null!;
    private GatewayApp _gateway = null!;
    private volatile string _leaderboard = """{"rankings":[{"agent_name":"a","score":0.9}]}""";

    public async Task InitializeAsync()
    {
        _service = await StandInServices.OneForAllAsync(service =>
        {
            service.MapGet("/benchmarks/leaderboard", () => Results.Text(_leaderboard, "application/json"));
            service.MapGet("/agents", () => Results.Text("not json", "text/plain"));
            service.MapGet("/suites/missing", () => Results.Problem(statusCode: 404, title: "No such suite."));
            service.MapPost("/benchmarks/run", () => Results.Text("""{"run_id":"r1"}""", "application/json"));
            // Chunked (no Content-Length), flushed piece by piece, far larger than the gateway's first buffer.
            service.MapGet("/benchmarks/compare", async (HttpContext context) =>
            {
                context.Response.ContentType = "application/json";
                foreach (var piece in LargeBodyPieces())
                {
                    await context.Response.WriteAsync(piece);
                    await context.Response.Body.FlushAsync();
                }
            });
            // A different body per request, with a Content-Length.
            service.MapGet("/benchmarks/comparison-matrix", (int n) => Results.Text(NumberedBody(n), "application/json"));
        });
        _gateway = _service.CreateGateway(infrastructure, "etag");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task A_json_get_carries_a_weak_etag_of_its_body_revalidation_headers_and_vary_authorization()
    {
        using var response = await Client().GetAsync("/benchmarks/leaderboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(_leaderboard, Encoding.UTF8.GetString(body));
        Assert.NotNull(response.Headers.ETag);
        Assert.True(response.Headers.ETag.IsWeak);
        Assert.Equal(ApiETags.ETagOf(body), response.Headers.ETag.ToString());
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.True(response.Headers.CacheControl?.Private);
        Assert.Contains("Authorization", response.Headers.Vary);
    }

    [Fact]
    public async Task The_same_etag_in_if_none_match_gets_304_without_a_body_until_the_body_changes()
    {
        var client = Client();
        using var first = await client.GetAsync("/benchmarks/leaderboard");
        var etag = first.Headers.ETag!;

        using var unchanged = await Conditional(client, $"W/\"0000\", {etag}");
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, unchanged.Headers.ETag);
        Assert.True(unchanged.Headers.CacheControl?.NoCache);

        _leaderboard = """{"rankings":[{"agent_name":"a","score":0.8}]}""";
        using var changed = await Conditional(client, etag.ToString());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(_leaderboard, await changed.Content.ReadAsStringAsync());
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task A_strong_form_of_the_same_tag_also_matches_because_the_comparison_is_weak()
    {
        var client = Client();
        using var first = await client.GetAsync("/benchmarks/leaderboard");
        var strong = first.Headers.ETag!.Tag;

        using var revalidated = await Conditional(client, strong);

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/agents")]            // not JSON
    [InlineData("GET", "/suites/missing")]    // not a 200
    [InlineData("POST", "/benchmarks/run")]   // not a GET
    public async Task Only_successful_json_gets_get_an_etag(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        using var response = await Client().SendAsync(request);

        Assert.Null(response.Headers.ETag);
        Assert.NotEqual(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task A_chunked_body_larger_than_the_first_buffer_arrives_whole_with_its_length_and_etag()
    {
        using var response = await Client().GetAsync("/benchmarks/compare");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(string.Concat(LargeBodyPieces()), Encoding.UTF8.GetString(body));
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.Equal(ApiETags.ETagOf(body), response.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task Concurrent_answers_each_get_their_own_body_and_etag()
    {
        // The gateway holds every body in a pooled buffer until it is sent: a buffer reused too early would show here
        // as one request's bytes (or ETag) in another's answer.
        var client = Client();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async n =>
        {
            using var response = await client.GetAsync($"/benchmarks/comparison-matrix?n={n}");
            return (n, Body: await response.Content.ReadAsStringAsync(), ETag: response.Headers.ETag?.ToString());
        }));

        foreach (var (n, body, etag) in answers)
        {
            Assert.Equal(NumberedBody(n), body);
            Assert.Equal(ApiETags.ETagOf(Encoding.UTF8.GetBytes(body)), etag);
        }
    }

    private static IEnumerable<string> LargeBodyPieces() =>
        Enumerable.Range(0, 50).Select(i => (i == 0 ? "[" : ",") + $"{{\"row\":{i},\"text\":\"{new string((char)('a' + i % 26), 4000)}\"}}")
            .Append("]");

    private static string NumberedBody(int n) => $"{{\"n\":{n},\"text\":\"{new string((char)('a' + n % 26), 1000 + n * 97)}\"}}";

    /// <summary>A client with the operator key: the API's routes need one.</summary>
    private HttpClient Client() => _gateway.ClientWithKey(_gateway.OperatorKey);

    private static async Task<HttpResponseMessage> Conditional(HttpClient client, string ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/benchmarks/leaderboard");
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await client.SendAsync(request);
    }
}
