using System.Security.Claims;
using System.Text.Encodings.Web;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BenchMesh.Gateway.Keys;

/// <summary>
/// <c>Authorization: Bearer bm_{id}_{secret}</c> on every public route (docs/api.md, "Authentication and workspaces").
/// The authenticated key becomes the request's user, whose claims are the <see cref="Caller"/> forwarded to the services.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";

    /// <summary>The authorization policy of every proxied public route and of the admin API: an authenticated key.</summary>
    public const string Policy = "ApiKey";

    private const string WorkspaceClaim = "benchmesh:workspace";
    private const string RoleClaim = "benchmesh:role";
    private const string KeyIdClaim = "benchmesh:key_id";

    public static IHostApplicationBuilder AddApiKeyAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiKeyLookup>();
        // Keys are cached in memory and evicted by PostgreSQL notifications (ApiKeyCache); Gateway:Keys:CacheSeconds 0 turns it off.
        builder.Services.Configure<ApiKeyCacheOptions>(builder.Configuration.GetSection(ApiKeyCacheOptions.Section));
        builder.Services.AddSingleton<ApiKeyCache>();
        builder.Services.AddHostedService<ApiKeyChangeListener>();
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return builder;
    }

    public static ClaimsPrincipal ToPrincipal(this Caller caller) => new(new ClaimsIdentity(
        [
            new Claim(WorkspaceClaim, caller.WorkspaceId),
            new Claim(RoleClaim, caller.Role.ToString()),
            new Claim(KeyIdClaim, caller.KeyId),
        ], Scheme));

    /// <summary>
    /// The caller whose key authenticated this request, or null. The gateway's own endpoints use this, never
    /// <see cref="Caller.BindAsync"/>: that reads the X-BenchMesh-* headers, which here are whatever the client sent.
    /// </summary>
    public static Caller? ToCaller(this ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: Scheme }
        && user.FindFirstValue(WorkspaceClaim) is { } workspace
        && Enum.TryParse<CallerRole>(user.FindFirstValue(RoleClaim), out var role)
        && user.FindFirstValue(KeyIdClaim) is { } keyId
            ? new Caller(workspace, role, keyId)
            : null;
}

/// <summary>
/// Finds the presented key by its id (in <see cref="ApiKeyCache"/>, else one indexed read, <see cref="ApiKeyLookup"/>) and
/// checks the secret's hash on every request. A revoked key fails at every gateway replica once the revocation's
/// notification has arrived there (milliseconds), and on the next request wherever the cache is off or not trusted.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyCache keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Only API keys are accepted, as 'Authorization: Bearer <key>'.");
        }

        if (!ApiKeyToken.TryParse(header[BearerPrefix.Length..].Trim(), out var token))
        {
            return AuthenticateResult.Fail("The bearer token is not a BenchMesh API key (bm_<id>_<secret>).");
        }

        var key = await keys.FindActiveAsync(token.Id, Context.RequestAborted);
        if (key is null || !ApiKeyToken.Matches(token.Secret, key.SecretHash))
        {
            // One answer for unknown, wrong and revoked keys: the difference would only help someone guessing.
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }

        var principal = new Caller(key.WorkspaceId, key.Role, key.Id).ToPrincipal();
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    /// <summary>401 ProblemDetails with <c>WWW-Authenticate: Bearer</c> (RFC 6750), naming what was wrong with the key.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required.",
            result.Failure?.Message ?? "Send an API key: Authorization: Bearer <key>.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden.", "This API key's role may not do this.");
    }

    private Task WriteProblemAsync(int status, string title, string detail) =>
        Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
}
