using System.Net.Sockets;
using BenchMesh.Credentials;
using BenchMesh.LoadEngine.Scenarios;
using BenchMesh.Outbound;
using BenchMesh.Stress.Catalog;

namespace BenchMesh.Stress.Runs;

/// <summary>
/// The agent version as the load engine loads it (<see cref="StressRunWorker.TargetOf"/>), with every connection of
/// the run opened by the <see cref="OutboundGuard"/>, which checks the address each connection actually reaches, and
/// the agent's credential decrypted for this run's load only.
/// </summary>
public sealed class StressTargets(OutboundGuard guard, AgentCredentials credentials)
{
    /// <summary>
    /// The target, after one check of its address up front: a target the guard refuses fails the run at once with the
    /// guard's reason, rather than running the whole schedule as refused requests. A name that does not resolve is
    /// left to the load to measure (its requests fail as <c>other</c>, as before).
    /// </summary>
    /// <exception cref="OutboundAddressRefusedException">The target's address is not allowed.</exception>
    /// <exception cref="AgentCredentialUnreadableException">This service cannot decrypt the agent's credential.</exception>
    public async Task<ScenarioTarget> PrepareAsync(AgentTarget agent, IReadOnlyList<string>? inputs, CancellationToken cancellationToken)
    {
        var apiKey = agent.ProtectedApiKey is null ? null : credentials.Unprotect(agent.ProtectedApiKey);
        var target = StressRunWorker.TargetOf(agent, apiKey, inputs) with { Connector = guard.ConnectAsync, Resolver = guard.ResolveAsync };
        try
        {
            await guard.ResolveAsync(target.Url.IdnHost, cancellationToken);
        }
        catch (SocketException e) when (e is not OutboundAddressRefusedException)
        {
            // Not resolvable now: the connections will say so, request by request.
        }

        return target;
    }
}
