using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.ServiceDefaults;
using BenchMesh.Stress.Catalog;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Apis;

/// <summary>
/// <c>agent_id</c> is text so that a malformed id is a field error rather than a JSON error; <c>parameters</c> is the
/// scenario's parameters by name (docs/stress.md), read as JSON so that a value that is not a number is a field error too.
/// </summary>
public sealed record StartStressRunRequest(string? AgentId, string? AgentVersion, string? Scenario, JsonElement? Parameters);

public sealed record StressRunAccepted(Guid StressRunId, string Status, string StatusUrl);

/// <summary>How far a run is: seconds since it started against the seconds its scenario plans; requests once it has ended.</summary>
public sealed record StressProgress(double ElapsedSeconds, double? PlannedSeconds, long RequestsCompleted);

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
        var overrides = ReadParameters(request.Parameters, errors);
        IReadOnlyDictionary<string, double>? parameters = null;
        if (!string.IsNullOrWhiteSpace(request.Scenario) && overrides is not null)
        {
            var (resolved, problems) = ScenarioPlans.Resolve(request.Scenario, overrides);
            foreach (var (field, message) in problems)
            {
                errors.Add(field, message);
            }

            parameters = resolved;
        }

        if (!errors.IsValid || parameters is null)
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

        var run = new StressRun
        {
            StressRunId = Guid.CreateVersion7(),
            AgentId = agent.AgentId,
            AgentName = agent.AgentName,
            AgentVersion = agent.Version,
            Scenario = request.Scenario!,
            Status = StressRunStatuses.Running,
            // Parameter names are the presets' own (already snake_case): stored and returned as they are.
            ParametersJson = JsonSerializer.Serialize(parameters),
            CreatedAt = clock.GetUtcNow(),
            // The job is queued in this instance's memory: it owns the run and keeps its heartbeat fresh.
            Owner = instance.Id,
            HeartbeatAt = clock.GetUtcNow(),
        };
        db.StressRuns.Add(run);
        await db.SaveChangesAsync(ct);

        await queue.EnqueueAsync(new StressJob(run.StressRunId, agent, run.Scenario, parameters), ct);

        var location = $"/stress/runs/{run.StressRunId}";
        return TypedResults.Accepted(location, new StressRunAccepted(run.StressRunId, run.Status, location));
    }

    public static async Task<Results<Ok<StressRunResponse>, ProblemHttpResult>> GetAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "stress_run_id")] Guid stressRunId,
        StressDbContext db,
        TimeProvider clock,
        CancellationToken ct)
    {
        var run = await db.StressRuns.AsNoTracking().SingleOrDefaultAsync(r => r.StressRunId == stressRunId, ct);
        if (run is null)
        {
            return TypedResults.Problem(title: "Unknown stress run.", detail: $"No stress run {stressRunId}.", statusCode: StatusCodes.Status404NotFound);
        }

        // Parsed once: returned as stored, and read for the planned duration.
        using var stored = JsonDocument.Parse(run.ParametersJson);
        var parameters = stored.RootElement.Clone();
        var planned = ScenarioPlans.TryPlannedSeconds(run.Scenario, parameters);
        var elapsed = run.StartedAt is not { } started ? 0 : ((run.CompletedAt ?? clock.GetUtcNow()) - started).TotalSeconds;
        return TypedResults.Ok(new StressRunResponse(
            run.StressRunId, run.AgentId, run.AgentName, run.AgentVersion, run.Scenario, run.Status,
            parameters,
            new StressProgress(Math.Round(elapsed, 1), planned, run.RequestsCompleted),
            run.ResultJson is null ? null : JsonDocument.Parse(run.ResultJson).RootElement.Clone(),
            run.Error, run.CreatedAt, run.StartedAt, run.CompletedAt));
    }

    /// <summary>The <c>parameters</c> object as numbers by name; null (with field errors) when it is not one.</summary>
    private static Dictionary<string, double>? ReadParameters(JsonElement? parameters, ValidationErrors errors)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (parameters is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return values;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add("parameters", "must be an object of numbers by parameter name.");
            return null;
        }

        var valid = true;
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var value))
            {
                errors.Add($"parameters.{property.Name}", "must be a number.");
                valid = false;
                continue;
            }

            values[property.Name] = value;
        }

        return valid ? values : null;
    }
}
