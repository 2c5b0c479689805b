namespace BenchMesh.Stress.Runs;

/// <summary>How runs are kept alive and how abandoned ones are recognised (configuration section <c>Stress:Runs</c>).</summary>
public sealed class StressRunOptions
{
    public const string Section = "Stress:Runs";

    /// <summary>How often an instance refreshes <c>heartbeat_at</c> of the runs it owns.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A running run whose heartbeat is older than this is abandoned: its instance is gone.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each instance looks for abandoned runs (also once at start).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Several missed heartbeats must pass before a run counts as abandoned, so one slow write is not fatal.</summary>
    public bool IsValid => HeartbeatInterval > TimeSpan.Zero && SweepInterval > TimeSpan.Zero && StaleAfter >= 3 * HeartbeatInterval;
}
