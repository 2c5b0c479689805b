using System.Security.Claims;
using BenchMesh.Gateway.Data;
using BenchMesh.Gateway.Keys;
using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Gateway.Apis;

/// <summary>
/// Workspaces and their API keys, served by the gateway itself (docs/api.md, "Authentication and workspaces"). An
/// operator key administers every workspace; a workspace's admin keys manage that workspace's keys; member keys manage
/// nothing. Another workspace's keys answer 404, as another workspace's data does everywhere.
/// </summary>
public static class WorkspacesApi
{
    /// <summary>The routes, for the index at <c>GET /api</c>.</summary>
    public static readonly string[] Paths = ["/workspaces", "/workspaces/{workspace_id}/keys", "/workspaces/{workspace_id}/keys/{key_id}"];

    public static IEndpointRouteBuilder MapWorkspacesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/workspaces").WithTags("Workspaces").RequireAuthorization(ApiKeyAuthentication.Policy);
        api.MapPost("/", CreateWorkspace).WithName("CreateWorkspace").WithSummary("Create a workspace and its first admin key (operator)");
        api.MapGet("/", ListWorkspaces).WithName("ListWorkspaces").WithSummary("List workspaces (operator)");
        api.MapPost("/{workspace_id}/keys", CreateKey).WithName("CreateKey").WithSummary("Create an API key; its secret is answered once");
        api.MapGet("/{workspace_id}/keys", ListKeys).WithName("ListKeys").WithSummary("List a workspace's keys, without secrets");
        api.MapDelete("/{workspace_id}/keys/{key_id}", RevokeKey).WithName("RevokeKey").WithSummary("Revoke a key at once");
        return app;
    }

    public static async Task<Results<Created<CreatedWorkspaceResponse>, ValidationProblem, ProblemHttpResult>> CreateWorkspace(
        CreateWorkspaceRequest request, ClaimsPrincipal user, GatewayDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (CallerOf(user).Role != CallerRole.Operator)
        {
            return Forbidden("Only an operator key creates workspaces.");
        }

        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        if (await db.Workspaces.AnyAsync(w => w.Id == request.Id, cancellationToken))
        {
            return WorkspaceExists(request.Id!);
        }

        var now = clock.StorageNow();
        var workspace = new Workspace { Id = request.Id!, Name = request.Name!.Trim(), CreatedAt = now };
        var token = ApiKeyToken.Generate();
        var adminKey = ApiKey.For(token, workspace.Id, "admin", CallerRole.Admin, now);
        db.Workspaces.Add(workspace);
        db.ApiKeys.Add(adminKey);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent creation of the same id won the race past the check above.
            return WorkspaceExists(workspace.Id);
        }

        return TypedResults.Created($"/workspaces/{workspace.Id}",
            new CreatedWorkspaceResponse(workspace.Id, workspace.Name, workspace.CreatedAt, CreatedKeyResponse.From(adminKey, token)));
    }

    public static async Task<Results<Ok<WorkspaceListResponse>, ProblemHttpResult>> ListWorkspaces(
        ClaimsPrincipal user, GatewayDbContext db, CancellationToken cancellationToken)
    {
        if (CallerOf(user).Role != CallerRole.Operator)
        {
            return Forbidden("Only an operator key lists workspaces.");
        }

        var workspaces = await db.Workspaces.AsNoTracking().OrderBy(w => w.CreatedAt).ThenBy(w => w.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(new WorkspaceListResponse([.. workspaces.Select(WorkspaceResponse.From)]));
    }

    public static async Task<Results<Created<CreatedKeyResponse>, ValidationProblem, ProblemHttpResult>> CreateKey(
        [FromRoute(Name = "workspace_id")] string workspaceId,
        CreateKeyRequest request,
        ClaimsPrincipal user,
        GatewayDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var caller = CallerOf(user);
        if (await CheckKeyAdminAsync(caller, workspaceId, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var role = request.ParsedRole!.Value;
        if (role == CallerRole.Operator && caller.Role != CallerRole.Operator)
        {
            return Forbidden("Only an operator key creates operator keys.");
        }

        var token = ApiKeyToken.Generate();
        var key = ApiKey.For(token, workspaceId, request.Name!.Trim(), role, clock.StorageNow());
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/workspaces/{workspaceId}/keys/{key.Id}", CreatedKeyResponse.From(key, token));
    }

    public static async Task<Results<Ok<KeyListResponse>, ProblemHttpResult>> ListKeys(
        [FromRoute(Name = "workspace_id")] string workspaceId, ClaimsPrincipal user, GatewayDbContext db, CancellationToken cancellationToken)
    {
        if (await CheckKeyAdminAsync(CallerOf(user), workspaceId, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspaceId)
            .OrderBy(k => k.CreatedAt).ThenBy(k => k.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new KeyListResponse([.. keys.Select(KeyResponse.From)]));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        [FromRoute(Name = "workspace_id")] string workspaceId,
        [FromRoute(Name = "key_id")] string keyId,
        ClaimsPrincipal user,
        GatewayDbContext db,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var caller = CallerOf(user);
        if (await CheckKeyAdminAsync(caller, workspaceId, db, cancellationToken) is { } refused)
        {
            return refused;
        }

        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.WorkspaceId == workspaceId, cancellationToken);
        if (key is null)
        {
            return NotFound($"Workspace '{workspaceId}' has no key '{keyId}'.");
        }

        if (key.Role == CallerRole.Operator && caller.Role != CallerRole.Operator)
        {
            return Forbidden("Only an operator key revokes operator keys.");
        }

        // Revoking twice is not an error: the key is revoked either way, and the first time stays on record.
        // The row's trigger notifies every gateway replica on commit, which evicts the key from its cache (Keys/ApiKeyCache.cs).
        key.RevokedAt ??= clock.StorageNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Whether <paramref name="caller"/> may manage <paramref name="workspaceId"/>'s keys: an operator may manage any
    /// existing workspace's; an admin its own; a member none (403). Another workspace answers 404, whether it exists or not.
    /// </summary>
    private static async Task<ProblemHttpResult?> CheckKeyAdminAsync(Caller caller, string workspaceId, GatewayDbContext db, CancellationToken cancellationToken)
    {
        if (caller.Role != CallerRole.Operator && !caller.Owns(workspaceId))
        {
            return WorkspaceNotFound(workspaceId);
        }

        if (caller.Role == CallerRole.Member)
        {
            return Forbidden("A member key cannot manage keys; use an admin key of the workspace.");
        }

        return await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken) ? null : WorkspaceNotFound(workspaceId);
    }

    /// <summary>The endpoints require an authenticated key (<see cref="ApiKeyAuthentication.Policy"/>), so there is one.</summary>
    private static Caller CallerOf(ClaimsPrincipal user) =>
        user.ToCaller() ?? throw new InvalidOperationException("The workspace endpoints are reached only with an authenticated key.");

    private static ProblemHttpResult WorkspaceNotFound(string workspaceId) => NotFound($"No workspace '{workspaceId}'.");

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found.", detail: detail, statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Forbidden.", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    private static ProblemHttpResult WorkspaceExists(string workspaceId) =>
        TypedResults.Problem(title: "Workspace exists.", detail: $"A workspace '{workspaceId}' exists already.", statusCode: StatusCodes.Status409Conflict);
}
