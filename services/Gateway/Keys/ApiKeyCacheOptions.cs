namespace BenchMesh.Gateway.Keys;

/// <summary><c>Gateway:Keys</c>: the in-process cache of looked-up API keys (<see cref="ApiKeyCache"/>).</summary>
public sealed class ApiKeyCacheOptions
{
    public const string Section = "Gateway:Keys";

    /// <summary>
    /// The longest a looked-up key is served from memory, in seconds (0: no cache, every request reads PostgreSQL). A
    /// backstop only: a change to a key evicts it at once through its notification (<see cref="ApiKeyChangeListener"/>);
    /// the age bounds what a lost notification could cost without the listener's connection dropping. 60 s is the
    /// field's convention for cached positive key look-ups.
    /// </summary>
    public int CacheSeconds { get; set; } = 60;

    /// <summary>
    /// The most keys held at once. Only keys that exist and are not revoked are cached, so their number is bounded by the
    /// table; the limit keeps memory bounded anyway (a full cache reads the surplus keys from PostgreSQL, as without it).
    /// </summary>
    public int MaxEntries { get; set; } = 100_000;
}
