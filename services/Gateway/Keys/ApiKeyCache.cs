using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace BenchMesh.Gateway.Keys;

/// <summary>
/// The keys authentication looks up, held in memory so that a request with a known key costs no database round trip
/// (docs/gateway.md, "Security contract"). What is cached is the key's row (caller and secret hash), never the secret or
/// a verdict: the presented secret is still hashed and compared in constant time on every request.
/// <para>
/// The cache is trusted only while <see cref="ApiKeyChangeListener"/> holds its LISTEN connection: every change to a key
/// (revocation, role, workspace, deletion) notifies on commit, and the notification evicts the key here. Whenever that
/// connection is not established (start-up, drop, reconnect) notifications may be lost, so the cache is emptied and every
/// request reads PostgreSQL, as with <c>Gateway:Keys:CacheSeconds</c> 0, until the connection is back and the cache has
/// been emptied once more. Unknown and revoked keys are never cached: a key created a moment ago works at once at every
/// replica, and guessed ids cannot fill memory.
/// </para>
/// </summary>
public sealed class ApiKeyCache : IDisposable
{
    public const string MeterName = "BenchMesh.Gateway";
    public const string LookupsInstrument = "benchmesh.gateway.api_key.lookups";

    private static readonly KeyValuePair<string, object?> FromCache = new("source", "cache");
    private static readonly KeyValuePair<string, object?> FromDatabase = new("source", "database");

    private readonly ApiKeyLookup _database;
    private readonly MemoryCache _entries;
    private readonly MemoryCacheEntryOptions _entryOptions;
    private readonly Counter<long> _lookups;

    /// <summary>
    /// Counts evictions and emptyings. A database read that began before one must not put its (possibly stale) row into
    /// the cache after it: the read compares this number before and after, having stored its row first, so whichever of
    /// the two runs last removes the row.
    /// </summary>
    private long _invalidations;

    private volatile bool _listening;

    public ApiKeyCache(ApiKeyLookup database, IOptions<ApiKeyCacheOptions> options, IMeterFactory meters)
    {
        var settings = options.Value;
        if (settings.CacheSeconds < 0 || settings.MaxEntries < 1)
        {
            throw new InvalidOperationException(
                $"{ApiKeyCacheOptions.Section}:CacheSeconds must be 0 or more and {ApiKeyCacheOptions.Section}:MaxEntries 1 or more.");
        }

        _database = database;
        MaxAge = TimeSpan.FromSeconds(settings.CacheSeconds);
        // A private MemoryCache, not the shared IMemoryCache: its size limit counts keys only, and emptying it touches nothing else.
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.MaxEntries });
        _entryOptions = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = MaxAge > TimeSpan.Zero ? MaxAge : null };
        _lookups = meters.Create(MeterName).CreateCounter<long>(
            LookupsInstrument, "{lookup}", "API key look-ups by authentication, by where the key was found (source: cache or database).");
    }

    /// <summary>The longest a key stays cached; zero when the cache is off.</summary>
    public TimeSpan MaxAge { get; }

    public bool Enabled => MaxAge > TimeSpan.Zero;

    /// <summary>Whether keys are served from memory now: the cache is on and its change listener is connected.</summary>
    public bool Listening => _listening;

    /// <summary>The key with id <paramref name="id"/> if it exists and is not revoked, else null.</summary>
    public async ValueTask<ActiveApiKey?> FindActiveAsync(string id, CancellationToken ct)
    {
        if (_listening && _entries.TryGetValue(id, out ActiveApiKey? cached))
        {
            _lookups.Add(1, FromCache);
            return cached;
        }

        var invalidations = Interlocked.Read(ref _invalidations);
        var trusted = _listening;
        var key = await _database.FindActiveAsync(id, ct);
        _lookups.Add(1, FromDatabase);
        if (key is not null && trusted)
        {
            _entries.Set(id, key, _entryOptions);
            if (!_listening || Interlocked.Read(ref _invalidations) != invalidations)
            {
                _entries.Remove(id);
            }
        }

        return key;
    }

    /// <summary>A key changed (its notification arrived): the next request reads it again.</summary>
    internal void Evict(string id)
    {
        Interlocked.Increment(ref _invalidations);
        _entries.Remove(id);
    }

    /// <summary>The listener is connected and LISTENing: forget what was read before, then cache again.</summary>
    internal void StartTrusting()
    {
        EmptyAll();
        _listening = true;
    }

    /// <summary>The listener is not connected, so notifications may be lost: serve nothing from memory.</summary>
    internal void StopTrusting()
    {
        _listening = false;
        EmptyAll();
    }

    internal void EmptyAll()
    {
        Interlocked.Increment(ref _invalidations);
        _entries.Clear();
    }

    public void Dispose() => _entries.Dispose();
}
