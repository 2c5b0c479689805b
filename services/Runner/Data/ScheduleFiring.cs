namespace BenchMesh.Runner.Data;

/// <summary>What a schedule's firing recorded: the run it started, or why it started none.</summary>
public static class FiringOutcomes
{
    public const string Started = "started";
    // Otherwise a RunRefusal code: agent_not_found, suite_not_found, agent_unreachable, catalog_unavailable, ...
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
