using System.Text.Json;
using BenchMesh.SampleAgents.Domain;
using BenchMesh.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BenchMesh.SampleAgents.Apis;

public sealed record HttpJsonRequest(string? Input, JsonElement? Configuration);

public sealed record HttpJsonUsage(int InputTokens, int OutputTokens);

public sealed record HttpJsonResponse(string Output, HttpJsonUsage Usage);

public sealed record HttpJsonError(string Error);

/// <summary>The <c>http-json</c> protocol: <c>POST {endpoint}</c> with <c>{input, configuration}</c>.</summary>
public static class HttpJsonApi
{
    public static IEndpointRouteBuilder MapHttpJsonAgentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/http-json/{profile}", HandleAsync)
            .WithTags("http-json")
            .WithSummary("Answer one task as an http-json agent.");
        return app;
    }

    public static async Task<Results<Ok<HttpJsonResponse>, ValidationProblem, ProblemHttpResult, JsonHttpResult<HttpJsonError>>> HandleAsync(
        string profile, HttpJsonRequest request, [AsParameters] OverrideQuery query, AgentRuntime runtime, CancellationToken ct)
    {
        var (resolved, errors) = runtime.Profiles.Resolve(profile, query.ToOverrides());
        errors.Required("input", request.Input);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        if (resolved is null)
        {
            return runtime.UnknownProfile(profile);
        }

        var turn = runtime.Agent.Play(resolved, request.Input!);
        await Task.Delay(turn.Latency, ct);
        if (turn.Fails)
        {
            return TypedResults.Json(new HttpJsonError("Simulated agent failure."), statusCode: StatusCodes.Status500InternalServerError);
        }

        return TypedResults.Ok(new HttpJsonResponse(turn.Output, new HttpJsonUsage(turn.InputTokens, turn.OutputTokens)));
    }
}
