using BenchMesh.Catalog;
using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.Runner.Apis;

/// <summary>
/// Who may run what, in one place. A run and a schedule belong to the workspace of the caller that created them; a
/// caller may start them only for an agent and a suite it can see. What a caller cannot see answers exactly as what
/// does not exist (404, same body), so that another workspace's ids reveal nothing.
/// </summary>
public static class RunAccess
{
    /// <summary>The bootstrap workspace, where agents and suites registered without one belong.</summary>
    public const string DefaultWorkspace = "default";

    /// <summary>The longest workspace id stored (Suites' limit on names and workspace ids).</summary>
    public const int MaxWorkspaceIdLength = 200;

    /// <summary>The workspace a catalog entry belongs to: its own, or <see cref="DefaultWorkspace"/> for legacy rows without one.</summary>
    public static string OwnerOf(string? workspaceId) => string.IsNullOrEmpty(workspaceId) ? DefaultWorkspace : workspaceId;

    /// <summary>Its own workspace's agents, and public agents of any workspace (the run then belongs to the caller).</summary>
    public static bool CanRun(this Caller caller, CatalogAgentVersion agent) => caller.CanSee(OwnerOf(agent.Snapshot.WorkspaceId), agent.IsPublic);

    public static bool CanRun(this Caller caller, CatalogSuite suite) => caller.CanSee(OwnerOf(suite.WorkspaceId), suite.IsPublic);

    /// <summary>Whether the agent is the caller's own (the coverage report counts a workspace's own agents only).</summary>
    public static bool Owns(this Caller caller, CatalogAgent agent) => caller.Owns(OwnerOf(agent.WorkspaceId));

    /// <summary>
    /// A schedule's firings act as a member of the schedule's workspace: they see what its creator's workspace sees at
    /// the time of the firing (an agent moved out of reach makes the firing record <c>agent_not_found</c>).
    /// </summary>
    public static Caller ScheduleCaller(string workspaceId, Guid scheduleId) => new(workspaceId, CallerRole.Member, $"schedule:{scheduleId}");
}
