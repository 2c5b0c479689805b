using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace BenchMesh.ServiceDefaults.Workspaces;

/// <summary>What an API key may do. Every role reads and writes its own workspace's data.</summary>
public enum CallerRole
{
    /// <summary>Reads and writes the workspace's agents, suites and runs.</summary>
    Member,

    /// <summary>A member who also creates, lists and revokes the workspace's keys.</summary>
    Admin,

    /// <summary>An admin of its own workspace who also administers workspaces (creates them, issues their first keys).</summary>
    Operator,
}

/// <summary>
/// Who is calling a public route: the workspace and role of the API key the gateway authenticated. Services never
/// see keys; they trust these headers because only the gateway can reach them and, when
/// <c>BenchMesh:InternalToken</c> is configured, because the request also carries that shared token
/// (<see cref="CallerHeaders.InternalToken"/>). Bind it as a handler parameter (<c>Caller caller</c>) on a route
/// group marked <see cref="CallerEndpointExtensions.RequireCaller{TBuilder}"/>.
/// </summary>
public sealed record Caller(string WorkspaceId, CallerRole Role, string KeyId)
{
    /// <summary>Whether this caller may see a resource owned by <paramref name="ownerWorkspaceId"/>.</summary>
    public bool CanSee(string? ownerWorkspaceId, bool isPublic = false) =>
        isPublic || string.Equals(ownerWorkspaceId, WorkspaceId, StringComparison.Ordinal);

    /// <summary>Whether this caller may change a resource: only its own workspace's, public or not.</summary>
    public bool Owns(string? ownerWorkspaceId) => string.Equals(ownerWorkspaceId, WorkspaceId, StringComparison.Ordinal);

    /// <summary>The headers that carry this caller to a service (the gateway and tests set them).</summary>
    public IEnumerable<KeyValuePair<string, string>> Headers() =>
    [
        new(CallerHeaders.Workspace, WorkspaceId),
        new(CallerHeaders.Role, Role.ToString().ToLowerInvariant()),
        new(CallerHeaders.KeyId, KeyId),
    ];

    /// <summary>Minimal-API binding. The middleware has already refused requests without a caller (401).</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(FromHeaders(context.Request.Headers));

    /// <summary>The caller the headers describe, or null when they are missing or malformed.</summary>
    public static Caller? FromHeaders(IHeaderDictionary headers)
    {
        var workspace = headers[CallerHeaders.Workspace].ToString();
        var role = headers[CallerHeaders.Role].ToString();
        var keyId = headers[CallerHeaders.KeyId].ToString();
        if (string.IsNullOrWhiteSpace(workspace) || string.IsNullOrWhiteSpace(keyId)
            || !Enum.TryParse<CallerRole>(role, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
        {
            return null;
        }

        return new Caller(workspace, parsed, keyId);
    }
}

/// <summary>The headers between the gateway and the services. The gateway removes any a client sends.</summary>
public static class CallerHeaders
{
    public const string Workspace = "X-BenchMesh-Workspace";
    public const string Role = "X-BenchMesh-Role";
    public const string KeyId = "X-BenchMesh-Key-Id";

    /// <summary>The shared secret proving a request came from inside BenchMesh (<c>BenchMesh:InternalToken</c>).</summary>
    public const string InternalToken = "X-BenchMesh-Internal-Token";

    /// <summary>Every header a client must not be able to set.</summary>
    public static readonly IReadOnlyList<string> All = [Workspace, Role, KeyId, InternalToken];

    /// <summary>Constant-time comparison of a presented internal token with the configured one.</summary>
    public static bool IsInternalTokenValid(string? presented, string expected) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}
