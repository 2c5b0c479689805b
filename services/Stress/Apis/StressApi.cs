using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Stress.Catalog;
using BenchMesh.Stress.Data;
using BenchMesh.Stress.Distributed;
using BenchMesh.Stress.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Stress.Apis;

/// <summary>
/// <c>agent_id</c> is text so that a malformed id is a field error rather than a JSON error; <c>parameters</c> is the
/// scenario's parameters by name (docs/stress.md), read as JSON so that a value that is not a number is a field error too;
/// <c>workers</c> (1 to 16, default 1) splits the load across that many Stress workers, read as JSON for the same reason.
/// <c>suite_id</c> (optional, with <c>benchmark_id</c> to narrow it) makes the request bodies the suite's dataset inputs.
/// </summary>
public sealed record StartStressRunRequest(
    string? AgentId, string? AgentVersion, string? Scenario, JsonElement? Parameters, JsonElement? Workers = null, string? SuiteId = null, string? BenchmarkId = null);

public sealed record StressRunAccepted(Guid StressRunId, string Status, string StatusUrl);

/// <summary>
/// How far a run is: seconds since it started against the seconds its scenario plans; requests once it has ended (for a
/// distributed run, also those of the shares reported so far); for a distributed run, its shares reported and in all.
/// </summary>
public sealed record StressProgress(double ElapsedSeconds, double? PlannedSeconds, long RequestsCompleted, int? SharesDone = null, int? SharesTotal = null);

/// <summary>One share of a distributed run: who took it, how it ended, its requests.</summary>
public sealed record StressShareView(int ShareIndex, string Status, string? Worker, long Requests, string? Error, DateTimeOffset? CompletedAt);

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
    DateTimeOffset? CompletedAt,
    int Workers = 1,
    IReadOnlyList<StressShareView>? Shares = null,
    Guid? SuiteId = null,
    Guid? BenchmarkId = null);

/// <summary>
/// <c>/stress/runs</c> (docs/api.md, "Stress"). A run belongs to the workspace of the key that started it: another
/// workspace's run, and an agent or suite the caller cannot see, answer 404 as if they did not exist.
/// </summary>
public static class StressApi
{
    public static IEndpointRouteBuilder MapStressApi(this IEndpointRouteBuilder app)
    {
        var stress = app.MapGroup("/stress/runs").WithTags("Stress").RequireCaller();
        stress.MapPost("/", StartAsync)
            .WithName("StartStressRun")
            .WithSummary("Start a stress scenario against a registered agent version; it runs in the background.");
        stress.MapGet("/{stress_run_id:guid}", GetAsync)
            .WithName("GetStressRun")
            .WithSummary("A stress run's status, progress and result.");
        stress.MapGet("/", StressListApi.ListAsync)
            .WithName("ListStressRuns")
            .WithSummary("The workspace's stress runs, newest first, filtered and paged by cursor.");
        return app;
    }

    public static async Task<Results<Accepted<StressRunAccepted>, ValidationProblem, ProblemHttpResult>> StartAsync(
        StartStressRunRequest request,
        Caller caller,
        StressDbContext db,
        IAgentCatalog catalog,
        StressRunQueue queue,
        StressInstance instance,
        IOptions<DistributedRunOptions> distributed,
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
        var suiteId = ReadId("suite_id", request.SuiteId, errors);
        var benchmarkId = ReadId("benchmark_id", request.BenchmarkId, errors);
        if (benchmarkId is not null && string.IsNullOrWhiteSpace(request.SuiteId))
        {
            errors.Add("benchmark_id", "needs suite_id: the suite the benchmark belongs to.");
        }

        var overrides = ReadParameters(request.Parameters, errors);
        var workers = ReadWorkers(request.Workers, errors);
        IReadOnlyDictionary<string, double>? parameters = null;
        if (!string.IsNullOrWhiteSpace(request.Scenario) && overrides is not null)
        {
            var (resolved, problems) = ScenarioPlans.Resolve(request.Scenario, overrides);
            foreach (var (field, message) in problems)
            {
                errors.Add(field, message);
            }

            parameters = resolved;
            if (resolved is not null && workers is > 1 && WorkerSplit.Problem(request.Scenario, resolved, workers.Value) is { } splitProblem)
            {
                errors.Add("workers", splitProblem);
            }
        }

        if (!errors.IsValid || parameters is null || workers is null)
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

        if (agent is null || !caller.CanSee(agent.WorkspaceId, agent.IsPublic))
        {
            return TypedResults.Problem(
                title: "Unknown agent or version.",
                detail: request.AgentVersion is { Length: > 0 } v ? $"Agent {agentId} has no version '{v}'." : $"No agent {agentId} is registered.",
                statusCode: StatusCodes.Status404NotFound);
        }

        if (!AgentProtocols.OverHttp.Contains(agent.Protocol))
        {
            return TypedResults.Problem(
                title: "The agent's protocol cannot be stress-tested.",
                detail: $"Protocol '{agent.Protocol}' is not one of {string.Join(", ", AgentProtocols.OverHttp)}.",
                statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        IReadOnlyList<string>? inputs = null;
        if (suiteId is { } suite)
        {
            SuiteInputs? found;
            try
            {
                found = await catalog.FindInputsAsync(suite, benchmarkId, ct);
            }
            catch (SuiteCatalogUnavailableException e)
            {
                return CatalogProblems.Unavailable(e);
            }

            inputs = found is not null && caller.CanSee(found.WorkspaceId, found.IsPublic) ? found.Inputs : null;
            if (inputs is null)
            {
                return TypedResults.Problem(
                    title: "Unknown suite or benchmark.",
                    detail: benchmarkId is { } b ? $"Suite {suite} has no benchmark {b}." : $"No suite {suite} exists.",
                    statusCode: StatusCodes.Status404NotFound);
            }

            if (inputs.Count == 0)
            {
                return TypedResults.Problem(
                    title: "The dataset has no items.",
                    detail: "The suite (or benchmark) named has no dataset items to send; name another, or leave suite_id out for the default prompt.",
                    statusCode: StatusCodes.Status422UnprocessableEntity);
            }
        }

        var run = new StressRun
        {
            StressRunId = Guid.CreateVersion7(),
            WorkspaceId = caller.WorkspaceId,
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
            SuiteId = suiteId,
            BenchmarkId = benchmarkId,
        };
        db.StressRuns.Add(run);
        if (workers > 1)
        {
            // Distributed: the shares go to whichever instances take them (through the outbox, with the run); no job here.
            var o = distributed.Value;
            var now = clock.GetUtcNow();
            var startAt = now + o.StartDelay;
            var planned = TimeSpan.FromSeconds(ScenarioPlans.PlannedSeconds(run.Scenario, parameters));
            DistributedRuns.AddShares(db, run, WorkerSplit.Split(run.Scenario, parameters, workers.Value), startAt, startAt + planned + o.DeadlineGrace, now);
            await db.SaveChangesAsync(ct);
        }
        else
        {
            await db.SaveChangesAsync(ct);
            await queue.EnqueueAsync(new StressJob(run.StressRunId, agent, run.Scenario, parameters, inputs), ct);
        }

        var location = $"/stress/runs/{run.StressRunId}";
        return TypedResults.Accepted(location, new StressRunAccepted(run.StressRunId, run.Status, location));
    }

    public static async Task<Results<Ok<StressRunResponse>, ProblemHttpResult>> GetAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "stress_run_id")] Guid stressRunId,
        Caller caller,
        StressDbContext db,
        TimeProvider clock,
        CancellationToken ct)
    {
        var run = await db.StressRuns.AsNoTracking().Include(r => r.Shares)
            .SingleOrDefaultAsync(r => r.StressRunId == stressRunId && r.WorkspaceId == caller.WorkspaceId, ct);
        if (run is null)
        {
            return TypedResults.Problem(title: "Unknown stress run.", detail: $"No stress run {stressRunId}.", statusCode: StatusCodes.Status404NotFound);
        }

        // Parsed once: returned as stored, and read for the planned duration.
        using var stored = JsonDocument.Parse(run.ParametersJson);
        var parameters = stored.RootElement.Clone();
        var planned = ScenarioPlans.TryPlannedSeconds(run.Scenario, parameters);
        var elapsed = run.StartedAt is not { } started ? 0 : Math.Max(0, ((run.CompletedAt ?? clock.GetUtcNow()) - started).TotalSeconds);
        var distributed = run.Workers > 1;
        var shares = run.Shares.OrderBy(s => s.ShareIndex).ToList();
        return TypedResults.Ok(new StressRunResponse(
            run.StressRunId, run.AgentId, run.AgentName, run.AgentVersion, run.Scenario, run.Status,
            parameters,
            new StressProgress(
                Math.Round(elapsed, 1), planned, run.RequestsCompleted,
                distributed ? shares.Count(s => s.Status is StressShareStatuses.Completed or StressShareStatuses.Failed) : null,
                distributed ? run.Workers : null),
            run.ResultJson is null ? null : JsonDocument.Parse(run.ResultJson).RootElement.Clone(),
            run.Error, run.CreatedAt, run.StartedAt, run.CompletedAt,
            run.Workers,
            distributed ? [.. shares.Select(s => new StressShareView(s.ShareIndex, s.Status, s.Worker, s.Requests, s.Error, s.CompletedAt))] : null,
            run.SuiteId,
            run.BenchmarkId));
    }

    /// <summary>An optional UUID field: null when absent, or (with a field error) when malformed.</summary>
    private static Guid? ReadId(string field, string? value, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!Guid.TryParse(value, out var id))
        {
            errors.Add(field, "must be a UUID.");
            return null;
        }

        return id;
    }

    /// <summary><c>workers</c>: absent or null is 1; otherwise a whole number from 1 to 16, or null with a field error.</summary>
    private static int? ReadWorkers(JsonElement? workers, ValidationErrors errors)
    {
        if (workers is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return 1;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var count) || count is < 1 or > DistributedRunOptions.MaxWorkers)
        {
            errors.Add("workers", $"must be a whole number from 1 to {DistributedRunOptions.MaxWorkers}.");
            return null;
        }

        return count;
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
