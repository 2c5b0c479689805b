namespace BenchMesh.Gateway.Data;

/// <summary>
/// A team's space: its API keys, and (in the services) its agents, suites and runs. The id is the slug the services
/// store as <c>workspace_id</c>; <see cref="DefaultId"/> exists from the first start on.
/// </summary>
public sealed class Workspace
{
    /// <summary>The bootstrap workspace: the operator key's, and the owner of rows written before workspaces existed.</summary>
    public const string DefaultId = "default";

    public required string Id { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
