using System.Text.Json;

namespace BenchMesh.Runner.Apis;

/// <summary>
/// <c>POST /benchmarks/schedules</c>. <c>cron_expression</c>: five-field crontab, six or seven-field Quartz, or a macro
/// such as <c>@monthly</c>; <c>time_zone</c>: an IANA (or Windows) id, UTC when absent; <c>configuration</c>: as
/// <c>POST /benchmarks/run</c> accepts it.
/// </summary>
public sealed record CreateScheduleRequest(
    string? AgentId, string? AgentVersion, string? SuiteId, string? CronExpression, string? TimeZone, RunConfigurationRequest? Configuration);

/// <param name="CronExpression">The expression in Quartz's canonical form (a crontab one is rewritten).</param>
/// <param name="AgentVersion">Null: the agent's latest version at each firing.</param>
/// <param name="NextFireTime">Null when the expression has no future fire time.</param>
/// <param name="LastFireTime">When the latest firing ran; null before the first.</param>
/// <param name="LastRunId">The latest run a firing started.</param>
/// <param name="LastOutcome"><c>started</c>, or why the latest firing started no run (e.g. <c>agent_not_found</c>).</param>
/// <param name="LastOutcomeDetail">The reason in words, when the latest firing started no run.</param>
public sealed record ScheduleResponse(
    Guid ScheduleId, Guid AgentId, string? AgentVersion, Guid SuiteId, string CronExpression, string TimeZone,
    JsonElement Configuration, DateTimeOffset CreatedAt, DateTimeOffset? NextFireTime, DateTimeOffset? LastFireTime,
    Guid? LastRunId, string? LastOutcome, string? LastOutcomeDetail);

public sealed record ScheduleListResponse(IReadOnlyList<ScheduleResponse> Schedules);
