namespace BenchMesh.Runner.Data;

/// <summary>
/// A recurring run of one suite against one agent: when it fires (a Quartz cron expression in a time zone) and with
/// what configuration. Quartz holds its trigger (job and trigger keyed by <see cref="ScheduleId"/>); this row is the
/// schedule as the API reports it, and <see cref="ScheduleFiring"/> rows are what it did.
/// </summary>
public sealed class BenchmarkSchedule
{
    public const int MaxCronExpressionLength = 200;
    public const int MaxTimeZoneLength = 100;

    public Guid ScheduleId { get; set; }

    /// <summary>The workspace of the caller who created it; its firings start runs as that workspace.</summary>
    public required string WorkspaceId { get; set; }
    public Guid AgentId { get; set; }

    /// <summary>Null: the agent's latest version at each firing.</summary>
    public string? AgentVersion { get; set; }
    public Guid SuiteId { get; set; }
    public required string CronExpression { get; set; }

    /// <summary>The time zone the cron expression is read in (an IANA or Windows id, as given).</summary>
    public required string TimeZone { get; set; }

    /// <summary>The effective run configuration (JSON object, snake_case), fixed when the schedule is created.</summary>
    public required string ConfigurationJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
