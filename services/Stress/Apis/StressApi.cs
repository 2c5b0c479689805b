using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.ServiceDefaults;
using BenchMesh.Stress.Catalog;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Load;
using BenchMesh.Stress.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Apis;

public sealed record StressParametersRequest(int? Requests, int? Concurrency, int? DurationSeconds, int? RequestTimeoutSeconds, int? InputChars);

/// <summary><c>agent_id</c> is text so that a malformed id is a field error rather than a JSON error.</summary>
public sealed record StartStressRunRequest(string? AgentId, string? AgentVersion, string? Scenario, StressParametersRequest? Parameters);

public sealed record StressRunAccepted(Guid StressRunId, string Status, string StatusUrl);

public sealed record StressProgress(long RequestsCompleted, int RequestsPlanned);

public sealed record StressRunResponse(
    Guid StressRunId,
    Guid AgentId,
    string AgentName,
    string AgentVersion,
    string Scenario,
    string Status,
    JsonElement Parameters,
    StressProgress Progress,
    JsonElement? Result,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt);

public static class StressApi
{
    public static IEndpointRouteBuilder MapStressApi(this IEndpointRouteBuilder app)
    {
        var stress = app.MapGroup("/stress/runs").WithTags("Stress");
        stress.MapPost("/", StartAsync)
            .WithName("StartStressRun")
            .WithSummary("Start a stress scenario against a registered agent version; it runs in the background.");
        stress.MapGet("/{stress_run_id:guid}", GetAsync)
            .WithName("GetStressRun")
            .WithSummary("A stress run's status, progress and result.");
        return app;
    }

    public static async Task<Results<Accepted<StressRunAccepted>, ValidationProblem, ProblemHttpResult>> StartAsync(
        StartStressRunRequest request,
        StressDbContext db,
        IAgentCatalog catalog,
        StressRunQueue queue,
        StressInstance instance,
        TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Required("agent_id", request.AgentId);
        Guid agentId = default;
        if (!string.IsNullOrWhiteSpace(request.AgentId) && !Guid.TryParse(request.AgentId, out agentId))
        {
            errors.Add("agent_id", "must be a UUID.");
        }

        errors.MaxLength("agent_version", request.AgentVersion, 100);
        errors.Required("scenario", request.Scenario);
        ScenarioDefaults? defaults = null;
        if (!string.IsNullOrWhiteSpace(request.Scenario) && !StressScenarios.Defaults.TryGetValue(request.Scenario, out defaults))
        {
            errors.Add("scenario", $"must be one of {string.Join(", ", StressScenarios.Defaults.Keys)}.");
        }

        var p = request.Parameters;
        errors.Range("parameters.requests", p?.Requests, 1, StressScenarios.MaxRequests);
        errors.Range("parameters.concurrency", p?.Concurrency, 1, StressScenarios.MaxConcurrency);
        errors.Range("parameters.duration_seconds", p?.DurationSeconds, 1, StressScenarios.MaxDurationSeconds);
        errors.Range("parameters.request_timeout_seconds", p?.RequestTimeoutSeconds, 1, StressScenarios.MaxRequestTimeoutSeconds);
        errors.Range("parameters.input_chars", p?.InputChars, 1, StressScenarios.MaxInputChars);
        if (!errors.IsValid || defaults is null)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        AgentTarget? agent;
        try
        {
            agent = await catalog.FindAgentVersionAsync(agentId, string.IsNullOrWhiteSpace(request.AgentVersion) ? null : request.AgentVersion, ct);
        }
        catch (SuiteCatalogUnavailableException e)
        {
            return CatalogProblems.Unavailable(e);
        }

        if (agent is null)
        {
            return TypedResults.Problem(
                title: "Unknown agent or version.",
                detail: request.AgentVersion is { Length: > 0 } v ? $"Agent {agentId} has no version '{v}'." : $"No agent {agentId} is registered.",
                statusCode: StatusCodes.Status404NotFound);
        }

        if (!AgentProtocols.Executable.Contains(agent.Protocol))
        {
            return TypedResults.Problem(
                title: "The agent's protocol cannot be stress-tested.",
                detail: $"Protocol '{agent.Protocol}' is not one of {string.Join(", ", AgentProtocols.Executable)}.",
                statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        var parameters = new StressParameters(
            p?.Requests ?? defaults.Requests,
            p?.Concurrency ?? defaults.Concurrency,
            p?.DurationSeconds ?? defaults.DurationSeconds,
            p?.RequestTimeoutSeconds ?? StressScenarios.DefaultRequestTimeoutSeconds,
            p?.InputChars ?? defaults.InputChars);
        var run = new StressRun
        {
            StressRunId = Guid.CreateVersion7(),
            AgentId = agent.AgentId,
            AgentName = agent.AgentName,
            AgentVersion = agent.Version,
            Scenario = request.Scenario!,
            Status = StressRunStatuses.Running,
            ParametersJson = JsonSerializer.Serialize(parameters, ServiceDefaultsExtensions.PublicJson),
            CreatedAt = clock.GetUtcNow(),
            // The job is queued in this instance's memory: it owns the run and keeps its heartbeat fresh.
            Owner = instance.Id,
            HeartbeatAt = clock.GetUtcNow(),
        };
        db.StressRuns.Add(run);
        await db.SaveChangesAsync(ct);

        var plan = new LoadPlan(
            parameters.Requests,
            parameters.Concurrency,
            TimeSpan.FromSeconds(parameters.DurationSeconds),
            TimeSpan.FromSeconds(parameters.RequestTimeoutSeconds),
            StressScenarios.InputOf(parameters.InputChars));
        await queue.EnqueueAsync(new StressJob(run.StressRunId, agent, run.Scenario, plan), ct);

        var location = $"/stress/runs/{run.StressRunId}";
        return TypedResults.Accepted(location, new StressRunAccepted(run.StressRunId, run.Status, location));
    }

    public static async Task<Results<Ok<StressRunResponse>, ProblemHttpResult>> GetAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "stress_run_id")] Guid stressRunId,
        StressDbContext db,
        CancellationToken ct)
    {
        var run = await db.StressRuns.AsNoTracking().SingleOrDefaultAsync(r => r.StressRunId == stressRunId, ct);
        if (run is null)
        {
            return TypedResults.Problem(title: "Unknown stress run.", detail: $"No stress run {stressRunId}.", statusCode: StatusCodes.Status404NotFound);
        }

        // Parsed once: returned as stored, and read for the progress total.
        using var stored = JsonDocument.Parse(run.ParametersJson);
        var parameters = stored.RootElement.Clone();
        var requested = parameters.Deserialize<StressParameters>(ServiceDefaultsExtensions.PublicJson)!;
        return TypedResults.Ok(new StressRunResponse(
            run.StressRunId, run.AgentId, run.AgentName, run.AgentVersion, run.Scenario, run.Status,
            parameters,
            new StressProgress(run.RequestsCompleted, requested.Requests),
            run.ResultJson is null ? null : JsonDocument.Parse(run.ResultJson).RootElement.Clone(),
            run.Error, run.CreatedAt, run.StartedAt, run.CompletedAt));
    }
}
