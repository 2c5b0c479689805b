using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BenchMesh.Leaderboard.Caching;

public sealed class LeaderboardCacheOptions
{
    public const string Section = "Leaderboard";

    /// <summary>Every key this service writes starts with it.</summary>
    public string CacheKeyPrefix { get; set; } = "benchmesh:leaderboard:";

    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Leaderboard answers cached in Redis. Every key carries a generation number; a new score bumps the generation,
/// which invalidates every cached answer at once (old keys expire by their TTL). Redis is an optimisation: when it
/// is unreachable or does not answer in time the cache reports a miss, and callers read PostgreSQL.
/// </summary>
public sealed class LeaderboardCache(IConnectionMultiplexer? redis, IOptions<LeaderboardCacheOptions> options, ILogger<LeaderboardCache> logger)
{
    private readonly LeaderboardCacheOptions _options = options.Value;

    private string GenerationKey => _options.CacheKeyPrefix + "generation";

    /// <summary>The cached value and the key it was (or should be) stored under.</summary>
    public async Task<(string? Value, string? Key)> GetAsync(string name)
    {
        var (value, key) = await GetRawAsync(name);
        return (value.HasValue ? value.ToString() : null, key);
    }

    /// <summary>
    /// The cached value as Redis holds it, UTF-8 bytes (a JSON answer ready to send as it is), and its key. A string of
    /// the same answer would be twice its size in UTF-16, on the large-object heap from 42 KB of JSON.
    /// </summary>
    public async Task<(byte[]? Value, string? Key)> GetUtf8Async(string name)
    {
        var (value, key) = await GetRawAsync(name);
        return (value.HasValue ? (byte[]?)value : null, key);
    }

    private async Task<(RedisValue Value, string? Key)> GetRawAsync(string name)
    {
        if (redis is null)
        {
            return (RedisValue.Null, null);
        }

        try
        {
            var db = redis.GetDatabase();
            var generation = (long?)await db.StringGetAsync(GenerationKey) ?? 0;
            var key = $"{_options.CacheKeyPrefix}board:{generation}:{name}";
            return (await db.StringGetAsync(key), key);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            logger.LogWarning(e, "Redis is unavailable; serving the leaderboard from PostgreSQL");
            return (RedisValue.Null, null);
        }
    }

    public async Task SetAsync(string key, string value)
    {
        if (redis is null)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringSetAsync(key, value, _options.CacheTtl);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            logger.LogWarning(e, "Could not cache the leaderboard in Redis");
        }
    }

    public async Task InvalidateAsync()
    {
        if (redis is null)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringIncrementAsync(GenerationKey);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            // The row is stored; stale answers last at most the TTL.
            logger.LogWarning(e, "Could not invalidate the leaderboard cache; cached answers expire within {Ttl}", _options.CacheTtl);
        }
    }

    /// <summary>
    /// What a Redis that is down or stalled throws: connection failures are <see cref="RedisException"/>s, but a command
    /// that got no answer in time throws <see cref="RedisTimeoutException"/>, a <see cref="TimeoutException"/>.
    /// </summary>
    private static bool IsUnavailable(Exception e) => e is RedisException or RedisTimeoutException;
}
