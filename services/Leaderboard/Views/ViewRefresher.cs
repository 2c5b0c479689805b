using BenchMesh.Leaderboard.Caching;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Leaderboard.Ranking;
using BenchMesh.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BenchMesh.Leaderboard.Views;

public sealed class ViewRefreshOptions
{
    public const string Section = "Leaderboard:Views";

    /// <summary>How long a refresh waits after the first new score, so that a burst of scores costs one refresh.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A refresh at least this often even without new scores: §5.1 keeps the executions of the last 30 days, evaluated
    /// as NOW() when the view is refreshed, so without a refresh an execution older than 30 days would stay on the board.
    /// </summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The command timeout of a refresh and of the rank intervals stored after it (background work, not a request):
    /// Npgsql's default of 30 s is shorter than refreshing the views over 10 million executions takes on a busy 2-core
    /// machine (docs/scale.md), and a refresh cut short is retried from the start, so it would never complete.
    /// </summary>
    public TimeSpan RefreshTimeout { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Keeps the two materialized views (§3.1 <c>agent_comparison_matrix</c>, §5.1 <c>benchmark_leaderboard</c>) current.
/// A new score only requests a refresh (<see cref="Request"/>); requests that arrive while one is pending or running
/// coalesce into the next refresh, so a steady stream of scores refreshes the views back to back, never once per score.
/// Both views are refreshed CONCURRENTLY (readers are never blocked) in one REPEATABLE READ transaction, so they show
/// the same executions; then the Redis cache is invalidated. Every replica refreshes on its own requests and period;
/// PostgreSQL serialises concurrent refreshes of a view.
/// </summary>
public sealed class ViewRefresher(
    IServiceScopeFactory scopes, LeaderboardCache cache, IOptions<ViewRefreshOptions> options, TimeProvider clock, ILogger<ViewRefresher> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _requested = new(0, 1);
    private readonly ViewRefreshOptions _options = options.Value;

    /// <summary>Asks for a refresh soon (after <see cref="ViewRefreshOptions.Debounce"/>); never waits.</summary>
    public void Request()
    {
        if (_requested.CurrentCount == 0)
        {
            try { _requested.Release(); } catch (SemaphoreFullException) { /* already requested */ }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Once at start: the 30-day window may have moved while the service was down.
        var requested = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A request, or the period without one (false: the periodic refresh, no reason to wait).
                requested = requested || await _requested.WaitAsync(_options.Period, stoppingToken);
                if (requested)
                {
                    await Task.Delay(_options.Debounce, clock, stoppingToken);
                }

                // Requests made up to here are covered by the refresh below (its snapshot is taken after them); one made
                // during the refresh leaves the semaphore set and triggers the next refresh.
                _requested.Wait(0, CancellationToken.None);
                requested = false;
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Refreshing the leaderboard views failed; retrying");
                requested = true;
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>();
            db.Database.SetCommandTimeout(_options.RefreshTimeout);
            // One snapshot for both views (so they always show the same executions), under the execution strategy:
            // with retry on failure a transaction must be its unit (PersistenceExtensions.InTransactionAsync).
            // The refresh number moves in the same transaction, so stored rank intervals match the views they came from.
            var generation = await db.InTransactionAsync(System.Data.IsolationLevel.RepeatableRead, async token =>
            {
                await db.Database.ExecuteSqlRawAsync(
                    $"REFRESH MATERIALIZED VIEW CONCURRENTLY {LeaderboardDbContext.Schema}.{LeaderboardDbContext.ComparisonMatrixView}", token);
                await db.Database.ExecuteSqlRawAsync(
                    $"REFRESH MATERIALIZED VIEW CONCURRENTLY {LeaderboardDbContext.Schema}.{LeaderboardDbContext.LeaderboardView}", token);
                var single = db.ViewGenerations.Where(g => g.Id == ViewGeneration.SingleId);
                await single.ExecuteUpdateAsync(s => s.SetProperty(g => g.Generation, g => g.Generation + 1), token);
                return await single.Select(g => g.Generation).SingleAsync(token);
            }, ct);

            // Invalidated first (answers are current at once: one that comes before the intervals below computes its own),
            // then the boards in use get their intervals of this refresh.
            await cache.InvalidateAsync();
            await StoredRankIntervals.RecomputeAskedAsync(db, generation, ct);
        }
    }
}
