using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Scenarios;

/// <summary>What a scenario loads: the URL and the request (protocol, dataset inputs), plus per-request limits.</summary>
public sealed record ScenarioTarget
{
    /// <summary>The target URL (for openai-chat, the agent's endpoint).</summary>
    public required Uri Url { get; init; }

    /// <summary>What each request carries; the body-size presets set its sizes.</summary>
    public RequestSpec Request { get; init; } = new();

    /// <summary>A request not answered in this time fails as a timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After each phase, how long requests in flight may still finish.</summary>
    public TimeSpan GracefulStop { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Opens the phases' connections in place of the engine (<see cref="LoadOptions.Connector"/>).</summary>
    public TargetConnector? Connector { get; init; }

    /// <summary>Vets the addresses of the phases' connections (<see cref="LoadOptions.Resolver"/>).</summary>
    public TargetResolver? Resolver { get; init; }
}
