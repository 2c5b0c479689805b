using System.Globalization;
using BenchMesh.Contracts.Grpc.Suites;
using Grpc.Core;

namespace BenchMesh.Stress.Catalog;

/// <summary>A registered agent version as the stress service targets it. Only endpoints from the catalog are loaded.</summary>
public sealed record AgentTarget(
    Guid AgentId, string AgentName, string Version, string Protocol, string Endpoint, string? ApiKey, string ModelConfigurationJson);

/// <summary>The agents registered in Suites.</summary>
public interface IAgentCatalog
{
    /// <summary>The version (null or empty: the latest), or null when the agent or the version is unknown.</summary>
    Task<AgentTarget?> FindAgentVersionAsync(Guid agentId, string? version, CancellationToken cancellationToken);
}

/// <summary>The catalog could not be asked (Suites down or not configured): not the caller's fault.</summary>
public sealed class AgentCatalogUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Suites' gRPC catalog (<c>services:suites:grpc:0</c>, h2c).</summary>
public sealed class GrpcAgentCatalog(SuiteCatalog.SuiteCatalogClient client) : IAgentCatalog
{
    public async Task<AgentTarget?> FindAgentVersionAsync(Guid agentId, string? version, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await client.GetAgentVersionAsync(
                new GetAgentVersionRequest { AgentId = agentId.ToString(), Version = version ?? "" },
                deadline: DateTime.UtcNow.AddSeconds(10),
                cancellationToken: cancellationToken);
            return new AgentTarget(
                Guid.Parse(reply.AgentId, CultureInfo.InvariantCulture), reply.AgentName, reply.Version, reply.Protocol, reply.Endpoint,
                string.IsNullOrEmpty(reply.ApiKey) ? null : reply.ApiKey,
                string.IsNullOrWhiteSpace(reply.ModelConfigurationJson) ? "{}" : reply.ModelConfigurationJson);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
        catch (RpcException e)
        {
            throw new AgentCatalogUnavailableException($"The agent catalog did not answer ({e.StatusCode}).", e);
        }
    }
}

/// <summary>Stands in when no Suites address is configured, so the service starts and says why it cannot resolve agents.</summary>
public sealed class UnconfiguredAgentCatalog : IAgentCatalog
{
    public Task<AgentTarget?> FindAgentVersionAsync(Guid agentId, string? version, CancellationToken cancellationToken) =>
        throw new AgentCatalogUnavailableException("No agent catalog is configured (services:suites:grpc:0).");
}
