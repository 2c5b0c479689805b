using BenchMesh.Scoring.Data;
using BenchMesh.Scoring.Profiling;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Scoring.Apis;

/// <summary>The §6.1 performance profile of one execution, with what identifies it.</summary>
public sealed record ExecutionProfileResponse(
    Guid ExecutionId,
    Guid AgentId,
    string AgentName,
    string AgentVersion,
    Guid SuiteId,
    Guid BenchmarkId,
    string BenchmarkName,
    string Status,
    ProfileData ProfileData,
    IReadOnlyList<OptimizationOpportunity> OptimizationOpportunities);

public static class ProfileApi
{
    public static IEndpointRouteBuilder MapProfileApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/benchmarks/executions/{execution_id}/profile", GetProfileAsync)
            .WithName("GetExecutionProfile")
            .WithTags("Results")
            .RequireCaller();
        return app;
    }

    // The id is taken as a string so that a malformed one is a 400 ValidationProblem with its field, like every other input.
    public static async Task<Results<Ok<ExecutionProfileResponse>, ValidationProblem, ProblemHttpResult>> GetProfileAsync(
        [Microsoft.AspNetCore.Mvc.FromRoute(Name = "execution_id")] string executionId,
        Caller caller,
        ScoringDbContext db,
        CancellationToken ct)
    {
        if (!Guid.TryParse(executionId, out var id))
        {
            var errors = new ValidationErrors();
            errors.Add("execution_id", "must be a GUID.");
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var e = await db.BenchmarkExecutions.AsNoTracking().SingleOrDefaultAsync(x => x.ExecutionId == id, ct);
        // Another workspace's execution answers as an unknown one does.
        if (e is null || !caller.CanSeeAgent(e.WorkspaceId))
        {
            return TypedResults.Problem(
                title: "Execution not found.", detail: $"No scored execution has the id {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        // Only the figures the profile reads: an execution may have 100,000 samples.
        var calls = await db.ExecutionSamples.AsNoTracking()
            .Where(s => s.ExecutionId == id)
            .OrderBy(s => s.Id)
            .Select(s => new ProfileCall(
                s.DurationMs, s.TtftMs, s.ConnectMs, s.RequestWriteMs, s.InputTokens, s.OutputTokens, s.CachedInputTokens,
                s.PeakMemoryMb, s.CpuTimeMs, s.ErrorKind != null, s.Correct))
            .ToListAsync(ct);

        var profile = Profiler.Build(new ProfileInput
        {
            StartTime = e.StartTime,
            EndTime = e.EndTime,
            RequestedAt = e.RequestedAt,
            Concurrency = e.Concurrency,
            WarmupTokens = (e.WarmupInputTokens ?? 0) + (e.WarmupOutputTokens ?? 0),
            WarmupDurationMs = e.WarmupDurationMs,
            JudgeCalls = e.JudgeCalls,
            JudgeInputTokens = e.JudgeInputTokens,
            JudgeOutputTokens = e.JudgeOutputTokens,
            JudgeCostUsd = e.JudgeCostUsd,
            JudgeDurationMs = e.JudgeDurationMs,
            ScoringMs = e.ScoringMs,
            PersistenceMs = e.PersistenceMs,
            Calls = calls,
        });

        return TypedResults.Ok(new ExecutionProfileResponse(
            e.ExecutionId, e.AgentId, e.AgentName, e.AgentVersion, e.SuiteId, e.BenchmarkId, e.BenchmarkName, e.Status,
            profile.ProfileData, profile.OptimizationOpportunities));
    }
}
