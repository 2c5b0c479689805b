using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Credentials;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults.Workspaces;
using BenchMesh.Suites.Data;
using BenchMesh.Suites.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Suites.Apis;

/// <summary>
/// The agent registry: <c>/agents</c> (docs/api.md, "Agents"). Agents belong to the caller's workspace; a caller sees
/// its own and the public ones and changes only its own. Others answer 404, as if they did not exist.
/// </summary>
public static class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/agents").WithTags("Agents").RequireCaller();
        api.MapPost("/", CreateAgent).WithName("CreateAgent").WithSummary("Register an agent, optionally with versions");
        api.MapPost("/{agent_id}/versions", AddVersion).WithName("AddAgentVersion").WithSummary("Add a version to an agent");
        api.MapGet("/", ListAgents).WithName("ListAgents").WithSummary("List the workspace's agents and the public ones");
        api.MapGet("/{agent_id}", GetAgent).WithName("GetAgent").WithSummary("Read one agent");
        return app;
    }

    public static async Task<Results<Created<AgentResponse>, ValidationProblem, ProblemHttpResult>> CreateAgent(
        CreateAgentRequest request, Caller caller, SuitesDbContext db, TimeProvider clock, AgentCredentials credentials, CancellationToken cancellationToken)
    {
        var errors = AgentValidator.Validate(request).SameWorkspace(request.WorkspaceId, caller);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        // A process agent's endpoint is its command in canonical JSON (docs/api.md, "Process agents").
        var endpoint = request.Protocol == AgentProtocols.Process
            ? AgentValidator.CommandOf(request.Command, request.ProcessMode)!.ToJson()
            : request.Endpoint!.Trim();
        var movedCredential = (request.Versions ?? [])
            .Where(v => Agent.MovesCredential(endpoint, request.ApiKey, v!.Endpoint))
            .Select(v => v!.Version!.Trim())
            .ToList();
        if (movedCredential.Count > 0)
        {
            return CredentialBoundToOrigin(endpoint, movedCredential);
        }

        var name = request.Name!.Trim();
        var workspaceId = caller.WorkspaceId;
        if (await db.Agents.AnyAsync(a => a.WorkspaceId == workspaceId && a.Name == name, cancellationToken))
        {
            return DuplicateName(name, workspaceId);
        }

        var now = clock.StorageNow();
        var agent = new Agent
        {
            AgentId = Guid.CreateVersion7(),
            Name = name,
            WorkspaceId = workspaceId,
            IsPublic = request.IsPublic ?? false,
            Protocol = request.Protocol!,
            Endpoint = endpoint,
            Description = request.Description,
            ProtectedApiKey = string.IsNullOrEmpty(request.ApiKey) ? null : credentials.Protect(request.ApiKey),
            InputPerMillionUsd = request.Pricing?.InputPerMillionUsd ?? 0m,
            OutputPerMillionUsd = request.Pricing?.OutputPerMillionUsd ?? 0m,
            PerCallUsd = request.Pricing?.PerCallUsd ?? 0m,
            CreatedAt = now,
        };
        foreach (var version in request.Versions ?? [])
        {
            agent.Versions.Add(NewVersion(version!, agent.AgentId, agent.Versions.Count, now));
        }

        db.Agents.Add(agent);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent registration of the same name won the race past the check above.
            return DuplicateName(name, workspaceId);
        }

        return TypedResults.Created($"/agents/{agent.AgentId}", AgentResponse.From(agent) with { SuggestedSchedule = SuggestedSchedule.For(agent.AgentId) });
    }

    public static async Task<Results<Created<AgentResponse>, ValidationProblem, ProblemHttpResult>> AddVersion(
        [FromRoute(Name = "agent_id")] string agentId,
        CreateAgentVersionRequest request,
        Caller caller,
        SuitesDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var agent = await db.FindAgentAsync(agentId, cancellationToken);
        // Only the owner adds versions: another workspace's agent is not found, even a public one it can read.
        if (agent is null || !caller.Owns(agent.WorkspaceId))
        {
            return AgentNotFound(agentId);
        }

        var errors = AgentValidator.Validate(request, agent.Protocol);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var versionName = request.Version!.Trim();
        if (Agent.MovesCredential(agent.Endpoint, agent.ProtectedApiKey, request.Endpoint))
        {
            return CredentialBoundToOrigin(agent.Endpoint, [versionName]);
        }

        if (agent.FindVersion(versionName) is not null)
        {
            return DuplicateVersion(agent.AgentId, versionName);
        }

        var version = NewVersion(request, agent.AgentId, agent.Versions.Count, clock.StorageNow());
        agent.Versions.Add(version);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return DuplicateVersion(agent.AgentId, versionName);
        }

        return TypedResults.Created($"/agents/{agent.AgentId}", AgentResponse.From(agent));
    }

    public static async Task<Ok<AgentListResponse>> ListAgents(
        [FromQuery(Name = "workspace_id")] string? workspaceId, Caller caller, SuitesDbContext db, CancellationToken cancellationToken)
    {
        var query = db.Agents.AsNoTracking().Include(a => a.Versions).VisibleTo(caller);
        // Narrows what the caller sees: another workspace's id lists that workspace's public agents.
        if (!string.IsNullOrWhiteSpace(workspaceId))
        {
            query = query.Where(a => a.WorkspaceId == workspaceId);
        }

        var agents = await query.OrderBy(a => a.CreatedAt).ThenBy(a => a.AgentId).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AgentListResponse([.. agents.Select(AgentResponse.From)]));
    }

    public static async Task<Results<Ok<AgentResponse>, ProblemHttpResult>> GetAgent(
        [FromRoute(Name = "agent_id")] string agentId, Caller caller, SuitesDbContext db, CancellationToken cancellationToken) =>
        await db.FindAgentAsync(agentId, cancellationToken) is { } agent && caller.CanSee(agent.WorkspaceId, agent.IsPublic)
            ? TypedResults.Ok(AgentResponse.From(agent))
            : AgentNotFound(agentId);

    private static AgentVersion NewVersion(CreateAgentVersionRequest request, Guid agentId, int ordinal, DateTimeOffset now) => new()
    {
        AgentId = agentId,
        Version = request.Version!.Trim(),
        Ordinal = ordinal,
        ModelConfiguration = request.ModelConfiguration is { ValueKind: JsonValueKind.Object } configuration
            ? configuration.GetRawText()
            : "{}",
        Endpoint = AgentValidator.CommandOf(request.Command, request.ProcessMode)?.ToJson() ?? request.Endpoint?.Trim(),
        InputPerMillionUsd = request.Pricing?.InputPerMillionUsd,
        OutputPerMillionUsd = request.Pricing?.OutputPerMillionUsd,
        PerCallUsd = request.Pricing?.PerCallUsd,
        CreatedAt = now,
    };

    private static ProblemHttpResult AgentNotFound(string agentId) =>
        TypedResults.Problem(title: "Agent not found.", detail: $"There is no agent '{agentId}'.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>
    /// 422: the agent's API key would follow a version to another server. The key is sent as a Bearer token to the
    /// version's endpoint, so allowing this would let anyone who can add a version collect the key.
    /// </summary>
    private static ProblemHttpResult CredentialBoundToOrigin(string agentEndpoint, IReadOnlyList<string> versions) =>
        TypedResults.Problem(
            title: "Endpoint override would move the agent's credential.",
            detail: $"The agent has an API key, which is bound to its endpoint's origin ({EndpointOrigin.Of(agentEndpoint)}: "
                    + "scheme, host and port) and is never sent anywhere else. "
                    + $"{(versions.Count == 1 ? "Version" : "Versions")} '{string.Join("', '", versions)}' "
                    + $"{(versions.Count == 1 ? "overrides" : "override")} the endpoint with another origin. Keep the override on the agent's origin (another path is fine), "
                    + "or register a separate agent, with its own key, for the other endpoint.",
            statusCode: StatusCodes.Status422UnprocessableEntity,
            extensions: new Dictionary<string, object?> { ["versions"] = versions });

    private static ProblemHttpResult DuplicateName(string name, string workspaceId) =>
        TypedResults.Problem(
            title: "Agent name already exists.",
            detail: $"Workspace '{workspaceId}' already has an agent named '{name}'.",
            statusCode: StatusCodes.Status409Conflict);

    private static ProblemHttpResult DuplicateVersion(Guid agentId, string version) =>
        TypedResults.Problem(
            title: "Agent version already exists.",
            detail: $"Agent '{agentId}' already has a version '{version}'.",
            statusCode: StatusCodes.Status409Conflict);
}
