using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.Testing;

/// <summary>
/// Test clients that call a service the way the gateway does: with an authenticated caller's headers
/// (ServiceDefaults/Workspaces). Services answer 401 to requests without them.
/// </summary>
public static class Callers
{
    /// <summary>The bootstrap workspace, where legacy rows with no workspace belong.</summary>
    public const string DefaultWorkspace = "default";

    public static Caller Of(string workspaceId = DefaultWorkspace, CallerRole role = CallerRole.Admin) =>
        new(workspaceId, role, $"test-key-{workspaceId}-{role.ToString().ToLowerInvariant()}");

    /// <summary>Sends <paramref name="caller"/>'s headers (and the internal token, when given) on every request.</summary>
    public static HttpClient WithCaller(this HttpClient client, Caller caller, string? internalToken = null)
    {
        foreach (var header in CallerHeaders.All)
        {
            client.DefaultRequestHeaders.Remove(header);
        }

        foreach (var (name, value) in caller.Headers())
        {
            client.DefaultRequestHeaders.Add(name, value);
        }

        if (internalToken is not null)
        {
            client.DefaultRequestHeaders.Add(CallerHeaders.InternalToken, internalToken);
        }

        return client;
    }

    /// <summary>The default workspace's admin: what most tests act as.</summary>
    public static HttpClient WithCaller(this HttpClient client, string workspaceId = DefaultWorkspace, CallerRole role = CallerRole.Admin) =>
        client.WithCaller(Of(workspaceId, role));
}
