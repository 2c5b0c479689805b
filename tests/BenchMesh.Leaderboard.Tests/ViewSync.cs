using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Leaderboard.Tests;

/// <summary>Waits, with the views' own content as the sentinel, until a refresh has taken in scored executions.</summary>
public static class ViewSync
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Until every message scored within the window is in the §5.1 view (its every-execution, per-agent, overall board
    /// lists the execution ids of every row). Both views are refreshed in one transaction, so the §3.1 view is as new.
    /// Messages older than the window cannot be waited for this way; send a recent one after them.
    /// </summary>
    public static Task WaitForViewsAsync(IServiceProvider services, IEnumerable<ExecutionScored> messages)
    {
        var horizon = DateTimeOffset.UtcNow.AddDays(-29);
        var ids = messages.Where(m => m.ScoredAt > horizon).Select(m => m.ExecutionId).ToHashSet();
        return Eventually.TrueAsync(async () =>
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>();
            var visible = await db.Leaderboard
                .Where(r => r.Statuses == "all" && !r.ByVersion && r.BenchmarkCategory == "overall")
                .Select(r => r.ExecutionIds)
                .ToListAsync();
            return ids.IsSubsetOf(visible.SelectMany(v => v));
        }, Timeout, "the views to show the new executions");
    }
}
