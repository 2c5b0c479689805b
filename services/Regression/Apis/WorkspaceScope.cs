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
    /// <summary>Null when the caller may read the agent's data, else the answer (<see cref="CatalogProblems.HiddenAgentProblemAsync"/>).</summary>
    public static async Task<ProblemHttpResult?> AgentProblemAsync(
        this RegressionDbContext db, ISuiteCatalog catalog, Caller caller, Guid agentId, CancellationToken ct)
    {
        var stored = await db.VersionResults.AsNoTracking()
            .Where(r => r.AgentId == agentId)
            .OrderBy(r => r.AgentVersion) // any row would do; the agent's index serves this order
            .Select(r => new { r.WorkspaceId })
            .FirstOrDefaultAsync(ct);
        return await catalog.HiddenAgentProblemAsync(caller, agentId, (stored is not null, stored?.WorkspaceId), ct);
    }
}
