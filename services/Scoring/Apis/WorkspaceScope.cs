using BenchMesh.Catalog;
using BenchMesh.Scoring.Data;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Scoring.Apis;

/// <summary>
/// What a caller may read in Scoring: the executions of its own workspace's agents. Every route decides it here.
/// Another workspace's agent or execution answers exactly as an unknown id does (404), so that ids reveal nothing.
/// </summary>
public static class WorkspaceScope
{
    /// <summary>The one visibility rule: the caller sees an agent of its own workspace (no workspace = <c>default</c>).</summary>
    public static bool CanSeeAgent(this Caller caller, string? agentWorkspaceId) =>
        caller.CanSee(WorkspaceOwner.Of(agentWorkspaceId));

    /// <summary>The executions of the caller's workspace's agents (rows stored without a workspace belong to <c>default</c>).</summary>
    public static IQueryable<BenchmarkExecution> VisibleTo(this IQueryable<BenchmarkExecution> executions, Caller caller) =>
        caller.WorkspaceId == WorkspaceOwner.Default
            ? executions.Where(e => e.WorkspaceId == caller.WorkspaceId || e.WorkspaceId == null)
            : executions.Where(e => e.WorkspaceId == caller.WorkspaceId);

    /// <summary>Null when the caller may read the agent's data, else the answer (<see cref="CatalogProblems.HiddenAgentProblemAsync"/>).</summary>
    public static async Task<ProblemHttpResult?> AgentProblemAsync(
        this ScoringDbContext db, ISuiteCatalog catalog, Caller caller, Guid agentId, CancellationToken ct)
    {
        var stored = await db.BenchmarkExecutions.AsNoTracking()
            .Where(e => e.AgentId == agentId)
            .OrderBy(e => e.CreatedAt) // any row would do; the agent's index serves this order
            .Select(e => new { e.WorkspaceId })
            .FirstOrDefaultAsync(ct);
        return await catalog.HiddenAgentProblemAsync(caller, agentId, (stored is not null, stored?.WorkspaceId), ct);
    }
}
