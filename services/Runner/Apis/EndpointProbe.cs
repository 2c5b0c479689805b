using BenchMesh.Contracts.Agents;
using System.Net.Sockets;

namespace BenchMesh.Runner.Apis;

/// <summary>Checks, before a run is accepted, that an agent's endpoint accepts connections.</summary>
public interface IAgentEndpointProbe
{
    /// <returns>Null when the endpoint accepted a TCP connection; otherwise why not.</returns>
    Task<string?> ProbeAsync(string endpoint, CancellationToken ct);
}

public sealed class TcpEndpointProbe(TimeSpan timeout) : IAgentEndpointProbe
{
    public async Task<string?> ProbeAsync(string endpoint, CancellationToken ct)
    {
        if (!AgentProtocols.TryGetHttpUri(endpoint, out var uri))
        {
            return $"'{endpoint}' is not an http(s) URL.";
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(uri.Host, uri.Port, cts.Token);
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"{uri.Host}:{uri.Port} did not accept a connection within {timeout.TotalSeconds:0.#} s.";
        }
        catch (SocketException e)
        {
            return $"{uri.Host}:{uri.Port} refused the connection ({e.SocketErrorCode}).";
        }
    }
}

/// <summary>Used when the preflight is switched off (<c>Runner:Preflight:Enabled=false</c>).</summary>
public sealed class NoEndpointProbe : IAgentEndpointProbe
{
    public Task<string?> ProbeAsync(string endpoint, CancellationToken ct) => Task.FromResult<string?>(null);
}
