using BenchMesh.Catalog;
using BenchMesh.Regression.Data;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Regression.Apis;

/// <summary>
/// What a caller may read in Regression: the reports and regressions of its own workspace's agents. Another workspace's
/// agent answers exactly as an unknown id does (404), so that ids reveal nothing.
/// </summary>
public static class WorkspaceScope
{
    /// <summary>The one visibility rule: the caller sees an agent of its own workspace (no workspace = <c>default</c>).</summary>
    public static bool CanSeeAgent(this Caller caller, string? agentWorkspaceId) =>
        caller.CanSee(WorkspaceOwner.Of(agentWorkspaceId));

    /// <summary>
    /// Null when the caller may read the agent's report; otherwise 404 for an id Suites never issued or an agent of
    /// another workspace (the same body), or 503 when Suites had to be asked and could not be. An agent's workspace is
    /// fixed at registration and kept with each of its scored executions, so one of them tells it; only an agent without
    /// any asks Suites, so that a Suites outage does not break reports on agents with data.
    /// </summary>
    public static async Task<ProblemHttpResult?> AgentProblemAsync(
        this RegressionDbContext db, ISuiteCatalog catalog, Caller caller, Guid agentId, CancellationToken ct)
    {
        var stored = await db.VersionResults.AsNoTracking()
            .Where(r => r.AgentId == agentId)
            .OrderBy(r => r.AgentVersion) // any row would do; the agent's index serves this order
            .Select(r => new { r.WorkspaceId })
            .FirstOrDefaultAsync(ct);
        if (stored is not null)
        {
            return caller.CanSeeAgent(stored.WorkspaceId) ? null : CatalogProblems.AgentNotFound(agentId);
        }

        try
        {
            return await catalog.GetAgentAsync(agentId, ct) is { } agent && caller.CanSeeAgent(agent.WorkspaceId)
                ? null
                : CatalogProblems.AgentNotFound(agentId);
        }
        catch (SuiteCatalogUnavailableException e)
        {
            return CatalogProblems.Unavailable(e);
        }
    }
}
