using System.Text.RegularExpressions;
using BenchMesh.Gateway.Data;
using BenchMesh.Gateway.Keys;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.Gateway.Apis;

/// <summary><c>POST /workspaces</c>.</summary>
public sealed record CreateWorkspaceRequest(string? Id, string? Name)
{
    public ValidationErrors Validate()
    {
        var errors = new ValidationErrors().Required("id", Id).Required("name", Name).MaxLength("name", Name, GatewayDbContext.NameLength);
        if (!string.IsNullOrWhiteSpace(Id) && !WorkspaceIds.IsValid(Id))
        {
            errors.Add("id", $"must be 1-{GatewayDbContext.IdLength} lowercase letters, digits, '-' or '_', starting with a letter or digit.");
        }

        return errors;
    }
}

/// <summary><c>POST /workspaces/{id}/keys</c>.</summary>
public sealed record CreateKeyRequest(string? Name, string? Role)
{
    public ValidationErrors Validate()
    {
        var errors = new ValidationErrors().Required("name", Name).MaxLength("name", Name, GatewayDbContext.NameLength).Required("role", Role);
        if (Role is { Length: > 0 } && ParsedRole is null)
        {
            errors.Add("role", "must be member, admin or operator.");
        }

        return errors;
    }

    public CallerRole? ParsedRole => Role switch
    {
        "member" => CallerRole.Member,
        "admin" => CallerRole.Admin,
        "operator" => CallerRole.Operator,
        _ => null,
    };
}

public sealed record WorkspaceResponse(string Id, string Name, DateTimeOffset CreatedAt)
{
    public static WorkspaceResponse From(Workspace workspace) => new(workspace.Id, workspace.Name, workspace.CreatedAt);
}

/// <summary>A new workspace with its first admin key, whose secret is shown this once.</summary>
public sealed record CreatedWorkspaceResponse(string Id, string Name, DateTimeOffset CreatedAt, CreatedKeyResponse AdminKey);

public sealed record WorkspaceListResponse(IReadOnlyList<WorkspaceResponse> Workspaces);

/// <summary>A key as listed: never its secret, only the prefix it starts with.</summary>
public sealed record KeyResponse(string KeyId, string WorkspaceId, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static KeyResponse From(ApiKey key) =>
        new(key.Id, key.WorkspaceId, key.Name, key.Role.ToString().ToLowerInvariant(), key.Prefix, key.CreatedAt, key.RevokedAt);
}

/// <summary>A key just created: <see cref="Key"/> is the whole key, answered once and stored nowhere.</summary>
public sealed record CreatedKeyResponse(string KeyId, string WorkspaceId, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, string Key)
{
    public static CreatedKeyResponse From(ApiKey key, ApiKeyToken token) =>
        new(key.Id, key.WorkspaceId, key.Name, key.Role.ToString().ToLowerInvariant(), key.Prefix, key.CreatedAt, token.Key);
}

public sealed record KeyListResponse(IReadOnlyList<KeyResponse> Keys);

/// <summary>The shape of a workspace id: the slug the services store as <c>workspace_id</c>.</summary>
public static partial class WorkspaceIds
{
    public static bool IsValid(string id) => Slug().IsMatch(id);

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]{0,63}\z")]
    private static partial Regex Slug();
}
