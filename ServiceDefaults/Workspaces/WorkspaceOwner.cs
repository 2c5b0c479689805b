namespace BenchMesh.ServiceDefaults.Workspaces;

/// <summary>
/// Who owns a row by its stored workspace id. Rows written before workspaces were enforced (and messages from
/// publishers that did not carry one) have none: they belong to the bootstrap workspace, <see cref="Default"/>.
/// </summary>
public static class WorkspaceOwner
{
    /// <summary>The bootstrap workspace.</summary>
    public const string Default = "default";

    /// <summary>The owner of a row whose workspace column holds <paramref name="workspaceId"/>.</summary>
    public static string Of(string? workspaceId) => string.IsNullOrEmpty(workspaceId) ? Default : workspaceId;
}
