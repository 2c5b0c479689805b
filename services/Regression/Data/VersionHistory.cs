using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Regression.Data;

/// <summary>A version of an agent and when Regression first saw it scored.</summary>
public sealed record SeenVersion(string Version, DateTimeOffset FirstSeenAt);

public static class VersionHistory
{
    /// <summary>
    /// The agent's versions, oldest first. A version's place is when its first execution was scored, not its
    /// name: version strings follow no common scheme ("1.10" vs "1.9", "2024-05-rc1"), but the order in which
    /// they were benchmarked is what a team means by "the version before".
    /// </summary>
    public static async Task<List<SeenVersion>> VersionsOfAsync(this RegressionDbContext db, Guid agentId, CancellationToken ct)
    {
        var versions = await db.VersionResults
            .Where(r => r.AgentId == agentId)
            .GroupBy(r => r.AgentVersion)
            .Select(g => new { Version = g.Key, FirstSeenAt = g.Min(r => r.ScoredAt) })
            .ToListAsync(ct);
        return Order(versions.Select(v => new SeenVersion(v.Version, v.FirstSeenAt)));
    }

    public static List<SeenVersion> Order(IEnumerable<SeenVersion> versions) =>
        versions.OrderBy(v => v.FirstSeenAt).ThenBy(v => v.Version, StringComparer.Ordinal).ToList();
}
