using BenchMesh.Leaderboard.Data;
using BenchMesh.ServiceDefaults.Workspaces;

namespace BenchMesh.Leaderboard.Apis;

/// <summary>
/// What a caller may see on the leaderboard: the agents of its own workspace. Every route decides it here; another
/// workspace's agent is treated as one without results (404 where a route names it).
/// </summary>
public static class WorkspaceScope
{
    /// <summary>
    /// The ids of the agents the caller sees: those whose scored executions carry its workspace (an agent's workspace is
    /// fixed at registration; executions scored before events carried it are <c>default</c>'s). A subquery, so that the
    /// views' rows are filtered in PostgreSQL.
    /// </summary>
    public static IQueryable<Guid> VisibleAgents(this LeaderboardDbContext db, Caller caller) =>
        db.Scores.VisibleTo(caller).Select(s => s.AgentId).Distinct();

    /// <summary>The scored executions of the caller's workspace's agents.</summary>
    public static IQueryable<AgentBenchmarkScore> VisibleTo(this IQueryable<AgentBenchmarkScore> scores, Caller caller) =>
        scores.Where(s => s.WorkspaceId == caller.WorkspaceId);

    /// <summary>
    /// The part of a cache key that keeps workspaces apart. Escaped, so that a workspace id containing the keys'
    /// separator (':') cannot make one workspace's key equal another's.
    /// </summary>
    public static string CacheScope(this Caller caller) => Uri.EscapeDataString(caller.WorkspaceId);
}
