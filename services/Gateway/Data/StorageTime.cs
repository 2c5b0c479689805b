namespace BenchMesh.Gateway.Data;

public static class StorageTime
{
    /// <summary>Timestamps as PostgreSQL keeps them (microseconds), so a write answers what a later read will.</summary>
    public static DateTimeOffset StorageNow(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
