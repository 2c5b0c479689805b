using BenchMesh.Leaderboard.Data;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.EntityFrameworkCore;

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
    /// <remarks>
    /// A loose index scan over <c>ix_scores_workspace_agent</c>: each step of the recursive CTE asks the index for the
    /// workspace's next agent id after the previous one, so the cost is one index probe per agent instead of reading
    /// every execution of the workspace (what <c>SELECT DISTINCT agent_id</c> does: PostgreSQL 15 has no skip scan, and
    /// <c>min(uuid)</c> does not exist, hence <c>ORDER BY ... LIMIT 1</c>). Measured in docs/scale.md.
    /// </remarks>
    public static IQueryable<Guid> VisibleAgents(this LeaderboardDbContext db, Caller caller) => db.VisibleAgents(caller.WorkspaceId);

    /// <inheritdoc cref="VisibleAgents(LeaderboardDbContext, Caller)"/>
    public static IQueryable<Guid> VisibleAgents(this LeaderboardDbContext db, string workspaceId) =>
        db.Database.SqlQuery<Guid>($"""
            WITH RECURSIVE agents (agent_id) AS (
                (SELECT agent_id FROM leaderboard.agent_benchmark_scores
                 WHERE workspace_id = {workspaceId} ORDER BY agent_id LIMIT 1)
                UNION ALL
                SELECT (SELECT s.agent_id FROM leaderboard.agent_benchmark_scores s
                        WHERE s.workspace_id = {workspaceId} AND s.agent_id > a.agent_id ORDER BY s.agent_id LIMIT 1)
                FROM agents a
                WHERE a.agent_id IS NOT NULL
            )
            SELECT agent_id AS "Value" FROM agents WHERE agent_id IS NOT NULL
            """);

    /// <summary>The scored executions of the caller's workspace's agents.</summary>
    public static IQueryable<AgentBenchmarkScore> VisibleTo(this IQueryable<AgentBenchmarkScore> scores, Caller caller) =>
        scores.Where(s => s.WorkspaceId == caller.WorkspaceId);

    /// <summary>
    /// The part of a cache key that keeps workspaces apart. Escaped, so that a workspace id containing the keys'
    /// separator (':') cannot make one workspace's key equal another's.
    /// </summary>
    public static string CacheScope(this Caller caller) => Uri.EscapeDataString(caller.WorkspaceId);
}
