using BenchMesh.Contracts.Agents;
namespace BenchMesh.Suites.Data;

/// <summary>
/// Where an agent's credential may be sent. The API key is registered with the agent's endpoint, so it is bound to
/// that endpoint's origin (scheme, host and port, as browsers bound credentials): a version may move to another path
/// of the same server, but a version pointing elsewhere must never receive the key.
/// </summary>
public static class EndpointOrigin
{
    /// <summary>
    /// The origin of an http(s) endpoint, e.g. <c>https://agents.example:443</c> (lower-case, explicit port, user info
    /// dropped). Any other endpoint (a <c>process</c> agent's command line) has no narrower part: it is its own origin.
    /// </summary>
    public static string Of(string endpoint)
    {
        var trimmed = endpoint.Trim();
        return AgentProtocols.TryGetHttpUri(trimmed, out var uri)
            ? $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}"
            : trimmed;
    }

    public static bool Same(string endpoint, string other) => string.Equals(Of(endpoint), Of(other), StringComparison.Ordinal);
}
