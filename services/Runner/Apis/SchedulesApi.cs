using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Runner.Data;
using BenchMesh.Runner.Scheduling;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace BenchMesh.Runner.Apis;

/// <summary>
/// <c>/benchmarks/schedules</c>: recurring runs of a suite against an agent (docs/api.md, "Schedules"). A schedule belongs
/// to its creator's workspace; another workspace's schedule is not found.
/// </summary>
public static class SchedulesApi
{
    /// <summary>How many fire times ahead the minimum interval is checked over.</summary>
    private const int IntervalProbeFireTimes = 50;

    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/benchmarks/schedules").WithTags("Schedules").RequireCaller();
        group.MapPost("/", CreateScheduleAsync).WithName("CreateSchedule").WithSummary("Run a suite against an agent on a cron schedule.");
        group.MapGet("/", ListSchedulesAsync).WithName("ListSchedules").WithSummary("Schedules, optionally of one agent or suite.");
        group.MapGet("/{schedule_id:guid}", GetScheduleAsync).WithName("GetSchedule").WithSummary("A schedule with its next and last firing.");
        group.MapDelete("/{schedule_id:guid}", DeleteScheduleAsync).WithName("DeleteSchedule").WithSummary("Stop and remove a schedule.");
        return app;
    }

    public static async Task<Results<Created<ScheduleResponse>, ValidationProblem, ProblemHttpResult>> CreateScheduleAsync(
        CreateScheduleRequest request, Caller caller, RunnerDbContext db, ISuiteCatalog catalog, ScheduleTriggers triggers, TimeProvider time,
        IOptions<RunnerOptions> options, CancellationToken ct)
    {
        // The run's own fields are checked exactly as POST /benchmarks/run checks them.
        var (agentId, suiteId, configuration, errors) = RunsApi.Validate(
            new StartRunRequest(request.AgentId, request.AgentVersion, request.SuiteId, request.Configuration, AsyncExecution: null));
        var cron = ParseCron(errors, request.CronExpression, request.TimeZone, time.GetUtcNow(), options.Value.Schedules.MinimumIntervalSeconds);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var agentVersion = string.IsNullOrWhiteSpace(request.AgentVersion) ? null : request.AgentVersion.Trim();
        // The agent and the suite must exist and be the caller's to run, as for POST /benchmarks/run (same answers).
        if ((await RunStarter.FindAsync(catalog, caller, agentId, agentVersion, suiteId, ct)).Refusal is { } refusal)
        {
            return TypedResults.Problem(title: refusal.Title, detail: refusal.Detail, statusCode: refusal.StatusCode);
        }

        var schedule = new BenchmarkSchedule
        {
            ScheduleId = Guid.CreateVersion7(),
            WorkspaceId = caller.WorkspaceId,
            AgentId = agentId,
            AgentVersion = agentVersion,
            SuiteId = suiteId,
            CronExpression = cron!.CronExpressionString,
            TimeZone = cron.TimeZone.Id,
            ConfigurationJson = JsonSerializer.Serialize(configuration, ServiceDefaultsExtensions.PublicJson),
            CreatedAt = time.GetUtcNow(),
        };
        db.Schedules.Add(schedule);
        await db.SaveChangesAsync(ct);

        // Quartz keeps its own tables on its own connections, so the row and the trigger cannot share a transaction:
        // the row goes first (a firing needs it), and is taken back when the trigger cannot be stored. A process that
        // dies in between leaves a row without a trigger, which ScheduleReconciler completes.
        try
        {
            await triggers.AddAsync(schedule, cron, ct);
        }
        catch
        {
            db.Schedules.Remove(schedule);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        var response = await ToResponseAsync(db, triggers, schedule, ct);
        return TypedResults.Created($"/benchmarks/schedules/{schedule.ScheduleId}", response);
    }

    public static async Task<Results<Ok<ScheduleListResponse>, ValidationProblem>> ListSchedulesAsync(
        [FromQuery(Name = "agent_id")] string? agentId, [FromQuery(Name = "suite_id")] string? suiteId,
        Caller caller, RunnerDbContext db, ScheduleTriggers triggers, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var agent = ParseOptionalId(errors, "agent_id", agentId);
        var suite = ParseOptionalId(errors, "suite_id", suiteId);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var query = db.Schedules.AsNoTracking().Where(x => x.WorkspaceId == caller.WorkspaceId);
        if (agent is { } a)
        {
            query = query.Where(s => s.AgentId == a);
        }

        if (suite is { } s)
        {
            query = query.Where(x => x.SuiteId == s);
        }

        var schedules = await query.OrderBy(x => x.CreatedAt).ThenBy(x => x.ScheduleId).ToListAsync(ct);
        var responses = new List<ScheduleResponse>(schedules.Count);
        foreach (var schedule in schedules)
        {
            responses.Add(await ToResponseAsync(db, triggers, schedule, ct));
        }

        return TypedResults.Ok(new ScheduleListResponse(responses));
    }

    public static async Task<Results<Ok<ScheduleResponse>, ProblemHttpResult>> GetScheduleAsync(
        Guid schedule_id, Caller caller, RunnerDbContext db, ScheduleTriggers triggers, CancellationToken ct) =>
        await db.Schedules.AsNoTracking().SingleOrDefaultAsync(s => s.ScheduleId == schedule_id && s.WorkspaceId == caller.WorkspaceId, ct) is { } schedule
            ? TypedResults.Ok(await ToResponseAsync(db, triggers, schedule, ct))
            : NotFound(schedule_id);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteScheduleAsync(
        Guid schedule_id, Caller caller, RunnerDbContext db, ScheduleTriggers triggers, CancellationToken ct)
    {
        var schedule = await db.Schedules.SingleOrDefaultAsync(s => s.ScheduleId == schedule_id && s.WorkspaceId == caller.WorkspaceId, ct);
        if (schedule is null)
        {
            return NotFound(schedule_id);
        }

        // The row first (with its firings), the trigger after: a process that dies in between leaves a trigger without a
        // row, which fires nothing (ScheduledRunJob finds no schedule and removes its own job) and which
        // ScheduleReconciler removes. The other order would leave a row that looks like a schedule and never fires.
        db.Schedules.Remove(schedule);
        await db.SaveChangesAsync(ct);
        await triggers.RemoveAsync(schedule_id, CancellationToken.None);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The expression in the time zone, or null with field errors: unparseable, no future fire time, or fire times
    /// closer together than <paramref name="minimumIntervalSeconds"/>.
    /// </summary>
    internal static CronExpression? ParseCron(ValidationErrors errors, string? expression, string? timeZone, DateTimeOffset now, int minimumIntervalSeconds)
    {
        TimeZoneInfo? zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrWhiteSpace(timeZone))
        {
            errors.MaxLength("time_zone", timeZone, BenchmarkSchedule.MaxTimeZoneLength);
            zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out var found) ? found : null;
            if (zone is null)
            {
                errors.Add("time_zone", "must be a time zone id, e.g. UTC or Europe/Berlin.");
            }
        }

        if (string.IsNullOrWhiteSpace(expression))
        {
            errors.Add("cron_expression", "is required.");
            return null;
        }

        errors.MaxLength("cron_expression", expression, BenchmarkSchedule.MaxCronExpressionLength);
        var text = expression.Trim();
        // Five fields are crontab's (minute first, Sunday = 0); six or seven are Quartz's (seconds first, Sunday = 1).
        var format = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 5 ? CronFormat.Unix : CronFormat.Quartz;
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(text, format);
        }
        catch (FormatException e)
        {
            errors.Add("cron_expression", $"is not a valid cron expression: {e.Message}");
            return null;
        }

        if (zone is null)
        {
            return null;
        }

        cron = cron.WithTimeZone(zone);
        var next = cron.GetNextValidTimeAfter(now);
        if (next is null)
        {
            errors.Add("cron_expression", "never fires after now.");
            return null;
        }

        for (var i = 0; i < IntervalProbeFireTimes && cron.GetNextValidTimeAfter(next.Value) is { } after; i++, next = after)
        {
            if ((after - next.Value).TotalSeconds < minimumIntervalSeconds)
            {
                errors.Add("cron_expression", $"fires more often than every {minimumIntervalSeconds} seconds (at {next:O} and {after:O}).");
                return null;
            }
        }

        return cron;
    }

    private static Guid? ParseOptionalId(ValidationErrors errors, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!Guid.TryParse(value, out var id) || id == Guid.Empty)
        {
            errors.Add(field, "must be a GUID.");
            return null;
        }

        return id;
    }

    private static async Task<ScheduleResponse> ToResponseAsync(RunnerDbContext db, ScheduleTriggers triggers, BenchmarkSchedule schedule, CancellationToken ct)
    {
        var firings = db.ScheduleFirings.AsNoTracking().Where(f => f.ScheduleId == schedule.ScheduleId);
        var last = await firings.OrderByDescending(f => f.FiredAt).FirstOrDefaultAsync(ct);
        var lastRunId = last?.RunId ?? await firings.Where(f => f.RunId != null).OrderByDescending(f => f.FiredAt).Select(f => f.RunId).FirstOrDefaultAsync(ct);
        using var configuration = JsonDocument.Parse(schedule.ConfigurationJson);
        return new ScheduleResponse(
            schedule.ScheduleId, schedule.AgentId, schedule.AgentVersion, schedule.SuiteId, schedule.CronExpression, schedule.TimeZone,
            configuration.RootElement.Clone(), schedule.CreatedAt, await triggers.NextFireTimeAsync(schedule.ScheduleId, ct),
            last?.FiredAt, lastRunId, last?.Outcome, last?.Detail);
    }

    private static ProblemHttpResult NotFound(Guid scheduleId) =>
        TypedResults.Problem(title: "Schedule not found.", detail: $"No schedule {scheduleId}.", statusCode: StatusCodes.Status404NotFound);
}
