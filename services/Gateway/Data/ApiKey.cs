using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.Gateway.Data;

/// <summary>
/// An API key of a workspace (<see cref="Keys.ApiKeyToken"/> is its format). Only the SHA-256 of the secret is kept;
/// the whole key is shown once, when it is created.
/// </summary>
public sealed class ApiKey
{
    /// <summary>The key's public id, the middle part of <c>bm_{id}_{secret}</c>: how a request's key is found.</summary>
    public required string Id { get; set; }

    public required string WorkspaceId { get; set; }
    public required string Name { get; set; }
    public CallerRole Role { get; set; }

    /// <summary>SHA-256 of the secret part (32 bytes).</summary>
    public required byte[] SecretHash { get; set; }

    /// <summary>How the key starts (<c>bm_{id}_</c> and the secret's first characters): enough to recognise it in a list.</summary>
    public required string Prefix { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set when the key is revoked; a revoked key authenticates nothing from then on.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsActive => RevokedAt is null;

    /// <summary>The row for a newly generated (or imported) key: its id and the hash of its secret.</summary>
    public static ApiKey For(Keys.ApiKeyToken token, string workspaceId, string name, CallerRole role, DateTimeOffset now) => new()
    {
        Id = token.Id,
        WorkspaceId = workspaceId,
        Name = name,
        Role = role,
        SecretHash = Keys.ApiKeyToken.HashSecret(token.Secret),
        Prefix = token.Prefix,
        CreatedAt = now,
    };
}
