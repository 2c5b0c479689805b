using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Suites.Data;

/// <summary>The reads the REST API and the gRPC catalog share.</summary>
public static class SuitesQueries
{
    /// <summary>An agent with its versions, or null; an id that is not a GUID names no agent.</summary>
    public static async Task<Agent?> FindAgentAsync(this SuitesDbContext db, string agentId, CancellationToken cancellationToken) =>
        Guid.TryParse(agentId, out var id)
            ? await db.Agents.Include(a => a.Versions).FirstOrDefaultAsync(a => a.AgentId == id, cancellationToken)
            : null;

    /// <summary>A suite with its benchmarks and every dataset item, or null.</summary>
    public static async Task<Suite?> FindSuiteAsync(this SuitesDbContext db, string suiteId, CancellationToken cancellationToken) =>
        Guid.TryParse(suiteId, out var id)
            ? await db.Suites.AsNoTracking()
                .Include(s => s.Benchmarks).ThenInclude(b => b.Items)
                // One query per level instead of a join that repeats the suite and benchmark per item.
                .AsSplitQuery()
                .FirstOrDefaultAsync(s => s.SuiteId == id, cancellationToken)
            : null;

    /// <summary>A suite with its benchmarks but none of their dataset items (what needs only the suite's settings).</summary>
    public static async Task<Suite?> FindSuiteWithoutItemsAsync(this SuitesDbContext db, string suiteId, CancellationToken cancellationToken) =>
        Guid.TryParse(suiteId, out var id)
            ? await db.Suites.AsNoTracking().Include(s => s.Benchmarks).FirstOrDefaultAsync(s => s.SuiteId == id, cancellationToken)
            : null;

    /// <summary>The agents <paramref name="caller"/> may see: its workspace's and the public ones (<see cref="Caller.CanSee"/>).</summary>
    public static IQueryable<Agent> VisibleTo(this IQueryable<Agent> agents, Caller caller) =>
        agents.Where(a => a.WorkspaceId == caller.WorkspaceId || a.IsPublic);

    /// <summary>The suites <paramref name="caller"/> may see: its workspace's and the public ones (<see cref="Caller.CanSee"/>).</summary>
    public static IQueryable<Suite> VisibleTo(this IQueryable<Suite> suites, Caller caller) =>
        suites.Where(s => s.WorkspaceId == caller.WorkspaceId || s.IsPublic);

    /// <summary>Timestamps as PostgreSQL keeps them (microseconds), so a write answers what a later read will.</summary>
    public static DateTimeOffset StorageNow(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
