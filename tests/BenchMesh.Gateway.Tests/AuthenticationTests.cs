using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Testing;

namespace BenchMesh.Gateway.Tests;

/// <summary>
/// Every proxied public route needs a valid API key (401 ProblemDetails with <c>WWW-Authenticate: Bearer</c> otherwise),
/// and the services receive the key's caller and never what the client claimed.
/// </summary>
public sealed class AuthenticationTests(Infrastructure infrastructure, StandInServices services)
    : IClassFixture<Infrastructure>, IClassFixture<StandInServices>
{
    public static TheoryData<string, string?> RefusedCredentials => new()
    {
        { "no Authorization header", null },
        { "Basic auth", "Basic " + Convert.ToBase64String("admin:admin"u8.ToArray()) },
        { "a bearer token that is not a key", "Bearer not-a-key" },
        { "a key with a bad id", "Bearer bm_XYZ0000000000000_" + new string('A', 43) },
        { "a key with a short secret", "Bearer bm_0123456789abcdef_short" },
        { "an unknown key", "Bearer bm_0123456789abcdef_" + new string('A', 43) },
    };

    [Theory]
    [MemberData(nameof(RefusedCredentials))]
    public async Task A_request_without_a_valid_key_gets_401_problem_with_a_bearer_challenge(string what, string? authorization)
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("auth"), services);
        var client = gateway.ClientWithKey(null);
        foreach (var path in new[] { "/agents", "/benchmarks/leaderboard", "/stress/runs", "/workspaces" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await client.SendAsync(request);

            Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"{what} on {path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.Single().Scheme, StringComparison.Ordinal);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(401, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        }
    }

    [Fact]
    public async Task A_write_without_a_key_is_refused_before_it_reaches_the_service()
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("auth"), services);
        using var response = await gateway.ClientWithKey(null).PostAsJsonAsync("/benchmarks/run", new { probe = true });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("service", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_probes_the_index_and_the_openapi_documents_need_no_key()
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("auth"), services);
        var client = gateway.ClientWithKey(null);
        foreach (var path in new[] { "/health", "/alive", "/api", "/openapi/runner.json" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }
    }

    [Fact]
    public async Task Caller_headers_a_client_sends_are_replaced_by_its_key_s_and_the_key_itself_is_not_forwarded()
    {
        const string internalToken = "test-internal-token";
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("auth"), services, internalToken: internalToken);
        var adminKey = await gateway.CreateWorkspaceAsync("team-a");
        var (memberKeyId, memberKey) = await gateway.CreateKeyAsync(adminKey, "team-a", "member");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/agents");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", memberKey);
        request.Headers.Add(CallerHeaders.Workspace, "team-b");
        request.Headers.Add(CallerHeaders.Role, "operator");
        request.Headers.Add(CallerHeaders.KeyId, "forged");
        request.Headers.Add(CallerHeaders.InternalToken, "forged-token");

        using var response = await gateway.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("headers");
        Assert.Equal("team-a", headers.GetProperty(CallerHeaders.Workspace.ToLowerInvariant()).GetString());
        Assert.Equal("member", headers.GetProperty(CallerHeaders.Role.ToLowerInvariant()).GetString());
        Assert.Equal(memberKeyId, headers.GetProperty(CallerHeaders.KeyId.ToLowerInvariant()).GetString());
        Assert.Equal(internalToken, headers.GetProperty(CallerHeaders.InternalToken.ToLowerInvariant()).GetString());
        Assert.False(headers.TryGetProperty("authorization", out _));
    }

    [Fact]
    public async Task Without_a_configured_internal_token_none_is_forwarded_not_even_the_client_s()
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("auth"), services);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/suites");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.OperatorKey);
        request.Headers.Add(CallerHeaders.InternalToken, "forged-token");

        using var response = await gateway.CreateClient().SendAsync(request);

        var headers = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("headers");
        Assert.Equal("default", headers.GetProperty(CallerHeaders.Workspace.ToLowerInvariant()).GetString());
        Assert.Equal("operator", headers.GetProperty(CallerHeaders.Role.ToLowerInvariant()).GetString());
        Assert.False(headers.TryGetProperty(CallerHeaders.InternalToken.ToLowerInvariant(), out _));
    }

    [Fact]
    public async Task Unauthenticated_requests_to_open_routes_carry_no_caller_even_when_the_client_sends_one()
    {
        await using var gateway = new GatewayApp(infrastructure.CreateDatabase("auth"), services);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/suites.json");
        request.Headers.Add(CallerHeaders.Workspace, "team-b");
        request.Headers.Add(CallerHeaders.Role, "operator");

        using var response = await gateway.CreateClient().SendAsync(request);

        var headers = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("headers");
        Assert.False(headers.TryGetProperty(CallerHeaders.Workspace.ToLowerInvariant(), out _));
        Assert.False(headers.TryGetProperty(CallerHeaders.Role.ToLowerInvariant(), out _));
    }
}
