using BenchMesh.Contracts.Agents;
using BenchMesh.Outbound;
using System.Net.Sockets;

namespace BenchMesh.Runner.Apis;

/// <summary>Checks, before a run is accepted, that an agent's endpoint accepts connections.</summary>
public interface IAgentEndpointProbe
{
    /// <returns>Null when the endpoint accepted a TCP connection; otherwise why not.</returns>
    Task<string?> ProbeAsync(string endpoint, CancellationToken ct);
}

/// <summary>
/// Opens a TCP connection to the endpoint through the <see cref="OutboundGuard"/>, as a run's calls would. Whatever
/// went wrong (a refusal, a timeout, a name that does not resolve, an address the guard does not allow), the answer is
/// the same sentence without addresses or ports: a preflight that told them apart would let anyone who can start a
/// run map the runner's network (which hosts exist, which ports are open). The reason goes to the runner's log.
/// </summary>
public sealed class TcpEndpointProbe(OutboundGuard guard, TimeSpan timeout, ILogger<TcpEndpointProbe> logger) : IAgentEndpointProbe
{
    public const string Unreachable =
        "Unreachable: the endpoint did not accept a connection from the runner (it is down, refused, or is not an address runs may reach).";

    public async Task<string?> ProbeAsync(string endpoint, CancellationToken ct)
    {
        if (!AgentProtocols.TryGetHttpUri(endpoint, out var uri))
        {
            return "The endpoint is not an http(s) URL.";
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var socket = await guard.ConnectAsync(uri.IdnHost, uri.Port, cts.Token);
            return null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            logger.LogInformation("Preflight: {Host} did not accept a connection within {Seconds} s", uri.IdnHost, timeout.TotalSeconds);
            return Unreachable;
        }
        catch (SocketException e)
        {
            logger.LogInformation("Preflight: {Host} is unreachable: {Reason}", uri.IdnHost, e.Message);
            return Unreachable;
        }
    }
}

/// <summary>Used when the preflight is switched off (<c>Runner:Preflight:Enabled=false</c>).</summary>
public sealed class NoEndpointProbe : IAgentEndpointProbe
{
    public Task<string?> ProbeAsync(string endpoint, CancellationToken ct) => Task.FromResult<string?>(null);
}
