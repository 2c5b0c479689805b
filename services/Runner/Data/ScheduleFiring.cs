namespace BenchMesh.Runner.Data;

/// <summary>
/// What a schedule's firing recorded: <see cref="Started"/>, or the code of the refusal that started no run
/// (<c>agent_not_found</c>, <c>suite_not_found</c>, <c>agent_unreachable</c>, <c>catalog_unavailable</c>, ...).
/// </summary>
public static class FiringOutcomes
{
    public const string Started = "started";
}

/// <summary>
/// One firing of a schedule. Unique per schedule and scheduled fire time: a second execution of the same fire time
/// (which Quartz's clustered store should never make) fails on the constraint and starts nothing.
/// </summary>
public sealed class ScheduleFiring
{
    public const int MaxDetailLength = 2000;

    public Guid FiringId { get; set; }
    public Guid ScheduleId { get; set; }

    /// <summary>The fire time the trigger was due at (Quartz's scheduled fire time).</summary>
    public DateTimeOffset ScheduledFor { get; set; }

    /// <summary>When the firing ran.</summary>
    public DateTimeOffset FiredAt { get; set; }

    /// <summary><see cref="FiringOutcomes.Started"/> or the refusal's code.</summary>
    public required string Outcome { get; set; }
    public Guid? RunId { get; set; }

    /// <summary>Why no run was started (the refusal's detail); null when one was.</summary>
    public string? Detail { get; set; }

    /// <summary>The Quartz scheduler instance (runner replica) that fired it.</summary>
    public required string InstanceId { get; set; }
}
