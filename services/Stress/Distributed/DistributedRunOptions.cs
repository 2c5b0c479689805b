namespace BenchMesh.Stress.Distributed;

/// <summary>How distributed runs (<c>workers</c> &gt; 1) are timed (configuration section <c>Stress:Distributed</c>).</summary>
public sealed class DistributedRunOptions
{
    public const string Section = "Stress:Distributed";

    /// <summary>The most workers one run may ask for.</summary>
    public const int MaxWorkers = 16;

    /// <summary>
    /// Whether this instance takes shares of distributed runs (default true). An instance that does not still accepts
    /// runs, coordinates them and merges their results; use it for API-only replicas.
    /// </summary>
    public bool TakeShares { get; set; } = true;

    /// <summary>How far ahead of the request the common start is set: time for the shares to reach their workers.</summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A share taken later than this after the common start is reported failed rather than run late (its load would
    /// not overlap the others').
    /// </summary>
    public TimeSpan StartTolerance { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Added to the common start and the scenario's planned seconds to give the deadline, after which a run whose
    /// shares have not all reported fails naming them. Covers each phase's graceful stop and the last answers.
    /// </summary>
    public TimeSpan DeadlineGrace { get; set; } = TimeSpan.FromMinutes(2);

    public bool IsValid => StartDelay > TimeSpan.Zero && StartTolerance >= TimeSpan.Zero && DeadlineGrace > TimeSpan.Zero;
}
