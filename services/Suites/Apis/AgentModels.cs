using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Suites.Data;

namespace BenchMesh.Suites.Apis;

// Requests: every property is nullable so that a missing field becomes a field error, not a binder failure.

public sealed record PricingRequest(decimal? InputPerMillionUsd, decimal? OutputPerMillionUsd, decimal? PerCallUsd);

public sealed record CreateAgentVersionRequest(
    string? Version, JsonElement? ModelConfiguration, string? Endpoint, PricingRequest? Pricing);

public sealed record CreateAgentRequest(
    string? Name,
    string? WorkspaceId,
    string? Protocol,
    string? Endpoint,
    string? ApiKey,
    string? Description,
    PricingRequest? Pricing,
    IReadOnlyList<CreateAgentVersionRequest?>? Versions);

// Representations. The credential is never part of them: has_api_key says whether there is one.

public sealed record AgentVersionResponse(
    string Version, JsonElement ModelConfiguration, string Endpoint, Pricing Pricing, DateTimeOffset CreatedAt);

public sealed record AgentResponse(
    Guid AgentId,
    string Name,
    string WorkspaceId,
    string Protocol,
    string Endpoint,
    string? Description,
    bool HasApiKey,
    Pricing Pricing,
    IReadOnlyList<AgentVersionResponse> Versions,
    DateTimeOffset CreatedAt)
{
    public static AgentResponse From(Agent agent) => new(
        agent.AgentId,
        agent.Name,
        agent.WorkspaceId,
        agent.Protocol,
        agent.Endpoint,
        agent.Description,
        !string.IsNullOrEmpty(agent.ApiKey),
        agent.Pricing,
        [.. agent.Versions.OrderBy(v => v.Ordinal).Select(v => new AgentVersionResponse(
            v.Version, JsonText.Parse(v.ModelConfiguration), agent.EffectiveEndpoint(v), agent.EffectivePricing(v), v.CreatedAt))],
        agent.CreatedAt);
}

public sealed record AgentListResponse(IReadOnlyList<AgentResponse> Agents);
