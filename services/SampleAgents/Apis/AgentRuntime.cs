using BenchMesh.SampleAgents.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace BenchMesh.SampleAgents.Apis;

/// <summary>Query-string overrides accepted by every agent route.</summary>
public sealed record OverrideQuery(
    [property: FromQuery(Name = "latency_ms")] string? LatencyMs,
    [property: FromQuery(Name = "latency_jitter_ms")] string? LatencyJitterMs,
    [property: FromQuery(Name = "accuracy")] string? Accuracy,
    [property: FromQuery(Name = "error_rate")] string? ErrorRate)
{
    public ProfileOverrides ToOverrides() => new(LatencyMs, LatencyJitterMs, Accuracy, ErrorRate);
}

/// <summary>The agents' shared state: configured profiles and the simulation.</summary>
public sealed class AgentRuntime(ProfileResolver profiles, SimulatedAgent agent)
{
    public ProfileResolver Profiles { get; } = profiles;
    public SimulatedAgent Agent { get; } = agent;

    public ProblemHttpResult UnknownProfile(string profile) =>
        TypedResults.Problem(
            title: "Unknown agent profile.",
            detail: $"No profile named '{profile}'. Known profiles: {string.Join(", ", Profiles.Names.Order())}.",
            statusCode: StatusCodes.Status404NotFound);
}
