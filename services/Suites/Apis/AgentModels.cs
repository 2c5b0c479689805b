using System.Text.Json;
using System.Text.Json.Serialization;
using BenchMesh.Contracts.Agents;
using BenchMesh.Suites.Data;

namespace BenchMesh.Suites.Apis;

// Requests: every property is nullable so that a missing field becomes a field error, not a binder failure.

public sealed record PricingRequest(decimal? InputPerMillionUsd, decimal? OutputPerMillionUsd, decimal? PerCallUsd);

// A process agent gives `command` (argv) and `process_mode` instead of `endpoint`. `command` is a JsonElement so that a
// shell string there gets a field error that says why, not a binder failure.

public sealed record CreateAgentVersionRequest(
    string? Version,
    JsonElement? ModelConfiguration,
    string? Endpoint,
    PricingRequest? Pricing,
    JsonElement? Command = null,
    string? ProcessMode = null);

// workspace_id is optional: the caller's workspace, which the body may repeat (CallerWorkspace). is_public: false by default.

public sealed record CreateAgentRequest(
    string? Name,
    string? WorkspaceId,
    string? Protocol,
    string? Endpoint,
    string? ApiKey,
    string? Description,
    PricingRequest? Pricing,
    IReadOnlyList<CreateAgentVersionRequest?>? Versions,
    JsonElement? Command = null,
    string? ProcessMode = null,
    bool? IsPublic = null);

// Representations. The credential is never part of them: has_api_key says whether there is one. A process agent's
// `endpoint` is its canonical ProcessCommand JSON, and `command` / `process_mode` repeat it unpacked (null otherwise).

public sealed record AgentVersionResponse(
    string Version,
    JsonElement ModelConfiguration,
    string Endpoint,
    Pricing Pricing,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string>? Command,
    string? ProcessMode);

public sealed record AgentResponse(
    Guid AgentId,
    string Name,
    string WorkspaceId,
    bool IsPublic,
    string Protocol,
    string Endpoint,
    string? Description,
    bool HasApiKey,
    Pricing Pricing,
    IReadOnlyList<AgentVersionResponse> Versions,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string>? Command,
    string? ProcessMode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SuggestedSchedule? SuggestedSchedule = null)
{
    public static AgentResponse From(Agent agent)
    {
        var command = CommandOf(agent.Protocol, agent.Endpoint);
        return new(
            agent.AgentId,
            agent.Name,
            agent.WorkspaceId,
            agent.IsPublic,
            agent.Protocol,
            agent.Endpoint,
            agent.Description,
            !string.IsNullOrEmpty(agent.ProtectedApiKey),
            agent.Pricing,
            [.. agent.Versions.OrderBy(v => v.Ordinal).Select(v =>
            {
                var endpoint = agent.EffectiveEndpoint(v);
                var versionCommand = CommandOf(agent.Protocol, endpoint);
                return new AgentVersionResponse(
                    v.Version, JsonText.Parse(v.ModelConfiguration), endpoint, agent.EffectivePricing(v), v.CreatedAt,
                    versionCommand?.Command, versionCommand?.Mode);
            })],
            agent.CreatedAt,
            command?.Command,
            command?.Mode);
    }

    // A process agent registered before commands were argv arrays has a plain command line: it has no command to show.
    private static ProcessCommand? CommandOf(string protocol, string endpoint) =>
        protocol == AgentProtocols.Process && ProcessCommand.TryParse(endpoint, out var command, out _) ? command : null;
}

public sealed record AgentListResponse(IReadOnlyList<AgentResponse> Agents);

/// <summary>
/// The default schedule <c>POST /agents</c> offers (docs/api.md, "Schedules"): the body fields to send to
/// <c>POST /benchmarks/schedules</c> with a suite id, so that the agent stays inside the coverage report's 30-day window.
/// It fires twice a month, on the 1st and the 15th at 03:MM UTC: a plain monthly cron leaves 31 days between two runs
/// in long months, and one failed firing would leave the agent stale for a month. The minute MM is derived from the
/// agent id, so that a fleet of agents does not start all its runs in the same minute.
/// </summary>
public sealed record SuggestedSchedule(string CronExpression, string TimeZone, string Method, string Endpoint)
{
    public static SuggestedSchedule For(Guid agentId) =>
        new($"{agentId.ToByteArray()[^1] % 60} 3 1,15 * *", "UTC", "POST", "/benchmarks/schedules");
}
