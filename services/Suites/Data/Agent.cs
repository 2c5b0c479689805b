using BenchMesh.Contracts.Agents;

namespace BenchMesh.Suites.Data;

/// <summary>A registered agent: where it is reached, how, and what it costs by default.</summary>
public sealed class Agent
{
    public Guid AgentId { get; set; }
    public required string Name { get; set; }
    public required string WorkspaceId { get; set; }

    /// <summary>Seen (listed, read, benchmarked) by every workspace; changed only by its own.</summary>
    public bool IsPublic { get; set; }

    public required string Protocol { get; set; }
    public required string Endpoint { get; set; }
    public string? Description { get; set; }

    /// <summary>
    /// The agent's credential, encrypted (BenchMesh.Credentials.AgentCredentials): write-only, served so to BenchMesh's own
    /// workers over gRPC, never by the REST API. Only the service that calls the agent decrypts it.
    /// </summary>
    public string? ProtectedApiKey { get; set; }

    /// <summary>
    /// A credential stored in plain text before credentials were encrypted. Nothing writes it: at start,
    /// <see cref="PlaintextApiKeyEncryption"/> encrypts it into <see cref="ProtectedApiKey"/> and clears it. The column
    /// goes in a later release, once every installation has started once with encryption.
    /// </summary>
    public string? PlaintextApiKey { get; set; }

    public decimal InputPerMillionUsd { get; set; }
    public decimal OutputPerMillionUsd { get; set; }
    public decimal PerCallUsd { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<AgentVersion> Versions { get; set; } = [];

    public Pricing Pricing => new(InputPerMillionUsd, OutputPerMillionUsd, PerCallUsd);

    /// <summary>The most recently created version, or null when the agent has none.</summary>
    public AgentVersion? LatestVersion() =>
        Versions.OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Ordinal).FirstOrDefault();

    public AgentVersion? FindVersion(string version) => Versions.FirstOrDefault(v => v.Version == version);

    /// <summary>A version's endpoint: its own override, else the agent's.</summary>
    public string EffectiveEndpoint(AgentVersion version) => version.Endpoint ?? Endpoint;

    /// <summary>
    /// The (encrypted) credential to send to a version's effective endpoint: the agent's key, but only where the key was registered
    /// for (the agent endpoint's origin). The API refuses cross-origin overrides on agents with a key; this also keeps
    /// the key from any row written before that rule or around the API.
    /// </summary>
    public string? ProtectedApiKeyFor(AgentVersion version) =>
        !string.IsNullOrEmpty(ProtectedApiKey) && EndpointOrigin.Same(EffectiveEndpoint(version), Endpoint) ? ProtectedApiKey : null;

    /// <summary>True when an endpoint override would take this agent's credential to another origin.</summary>
    public static bool MovesCredential(string agentEndpoint, string? apiKey, string? endpointOverride) =>
        !string.IsNullOrEmpty(apiKey) && !string.IsNullOrWhiteSpace(endpointOverride) && !EndpointOrigin.Same(endpointOverride, agentEndpoint);

    /// <summary>A version's prices: each override replaces only the price it names.</summary>
    public Pricing EffectivePricing(AgentVersion version) => new(
        version.InputPerMillionUsd ?? InputPerMillionUsd,
        version.OutputPerMillionUsd ?? OutputPerMillionUsd,
        version.PerCallUsd ?? PerCallUsd);
}

/// <summary>One version of an agent: its model configuration and optional endpoint and price overrides.</summary>
public sealed class AgentVersion
{
    public Guid AgentId { get; set; }
    public required string Version { get; set; }

    /// <summary>Creation order within the agent; breaks ties between versions created in the same request.</summary>
    public int Ordinal { get; set; }

    /// <summary>JSON object text (jsonb).</summary>
    public string ModelConfiguration { get; set; } = "{}";

    public string? Endpoint { get; set; }
    public decimal? InputPerMillionUsd { get; set; }
    public decimal? OutputPerMillionUsd { get; set; }
    public decimal? PerCallUsd { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
