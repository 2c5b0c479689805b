using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Runner.Apis;

/// <summary><c>POST /benchmarks/run</c>, <c>GET /benchmarks/runs/{run_id}</c> and <c>POST /benchmarks/runs/{run_id}/retry</c> (docs/api.md, "Runs").</summary>
public static class RunsApi
{
    internal const int DefaultTimeoutSeconds = 300;
    private const int MaxConsecutiveFailuresLimit = 100_000;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/benchmarks").WithTags("Runs").RequireCaller();
        group.MapPost("/run", StartRunAsync).WithName("StartRun").WithSummary("Run a suite against an agent version.");
        group.MapGet("/runs/{run_id:guid}", GetRunAsync).WithName("GetRun").WithSummary("A run's status, progress and report.");
        group.MapGet("/runs", RunListApi.ListRunsAsync).WithName("ListRuns").WithSummary("The runs, newest first, filtered and paged by cursor.");
        group.MapPost("/runs/{run_id:guid}/retry", RetryRunAsync).WithName("RetryRun")
            .WithSummary("Run again what failed in a failed run: score stored results again, execute lost benchmarks again.");
        return app;
    }

    public static async Task<Results<Accepted<RunAccepted>, Ok<RunResponse>, Accepted<RunResponse>, ValidationProblem, ProblemHttpResult>> StartRunAsync(
        StartRunRequest request, Caller caller, RunnerDbContext db, RunStarter starter, TimeProvider time, CancellationToken ct)
    {
        var (agentId, suiteId, configuration, errors) = Validate(request);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var (run, refusal) = await starter.PrepareAsync(caller, agentId, request.AgentVersion, suiteId, configuration, ct);
        if (run is null)
        {
            return refusal!.Errors is { } fieldErrors
                ? TypedResults.ValidationProblem(fieldErrors)
                : TypedResults.Problem(title: refusal.Title, detail: refusal.Detail, statusCode: refusal.StatusCode);
        }

        await db.SaveChangesAsync(ct);

        var statusUrl = $"/benchmarks/runs/{run.RunId}";
        if (request.AsyncExecution ?? true)
        {
            return TypedResults.Accepted(statusUrl, new RunAccepted(run.RunId, run.Status, statusUrl));
        }

        // Synchronous form: wait for the workers and Scoring, at most timeout_seconds.
        var deadline = time.GetUtcNow().AddSeconds(configuration.TimeoutSeconds);
        while (true)
        {
            var current = await LoadAsync(db, caller, run.RunId, ct);
            if (current is not null && RunStatuses.IsFinal(current.Status))
            {
                return TypedResults.Ok(ToResponse(current));
            }

            if (time.GetUtcNow() >= deadline)
            {
                return TypedResults.Accepted(statusUrl, ToResponse(current ?? run));
            }

            await Task.Delay(PollInterval, time, ct);
        }
    }

    public static async Task<Results<Ok<RunResponse>, ProblemHttpResult>> GetRunAsync(
        Guid run_id, Caller caller, RunnerDbContext db, CancellationToken ct)
    {
        var run = await LoadAsync(db, caller, run_id, ct);
        return run is null ? RunNotFound(run_id) : TypedResults.Ok(ToResponse(run));
    }

    /// <summary>
    /// Retries the benchmarks of a failed run that ended without scores (lost, or given up on): those whose paid results
    /// are stored are sent to Scoring again, the others to the workers again (the run's original command). Benchmarks
    /// that were scored, failed ones included (the agent's own failures), stand. 409 unless the run is failed with such
    /// a benchmark.
    /// </summary>
    public static async Task<Results<Accepted<RunRetryAccepted>, ProblemHttpResult>> RetryRunAsync(
        Guid run_id, Caller caller, RunnerDbContext db, TimeProvider time, CancellationToken ct)
    {
        return await db.InTransactionAsync<Results<Accepted<RunRetryAccepted>, ProblemHttpResult>>(async token =>
        {
            var run = await db.Runs
                .FromSql($"SELECT * FROM runner.runs WHERE run_id = {run_id} AND workspace_id = {caller.WorkspaceId} FOR UPDATE")
                .SingleOrDefaultAsync(token);
            if (run is null)
            {
                return RunNotFound(run_id);
            }

            if (run.Status != RunStatuses.Failed)
            {
                return TypedResults.Problem(
                    title: "The run cannot be retried.",
                    detail: $"Run {run_id} is {run.Status}: only a failed run can be retried.",
                    statusCode: StatusCodes.Status409Conflict);
            }

            var unscored = await db.RunBenchmarks
                .Where(b => b.RunId == run.RunId && b.Status == RunStatuses.Failed && b.ScoredAt == null)
                .ToListAsync(token);
            var ids = unscored.Select(b => b.ExecutionId).ToList();
            var results = await db.BenchmarkResults.AsNoTracking()
                .Where(r => ids.Contains(r.ExecutionId))
                .ToDictionaryAsync(r => r.ExecutionId, r => r.Body, token);
            // The command each benchmark was first sent with: its outbox row carries the execution id as message id.
            var commands = await db.OutboxMessages.AsNoTracking()
                .Where(m => ids.Contains(m.MessageId))
                .ToDictionaryAsync(m => m.MessageId, m => m.Body, token);
            var retried = unscored.Where(b => results.ContainsKey(b.ExecutionId) || commands.ContainsKey(b.ExecutionId)).ToList();
            if (retried.Count == 0)
            {
                return TypedResults.Problem(
                    title: "The run cannot be retried.",
                    detail: $"Run {run_id} has nothing to retry: every benchmark was scored (failures among them are the agent's).",
                    statusCode: StatusCodes.Status409Conflict);
            }

            var now = time.GetUtcNow();
            var rescored = 0;
            foreach (var benchmark in retried)
            {
                benchmark.Status = RunStatuses.Pending;
                benchmark.ErrorMessage = null;
                benchmark.LastActivityAt = results.ContainsKey(benchmark.ExecutionId) ? now : null;
                if (results.TryGetValue(benchmark.ExecutionId, out var executed))
                {
                    db.AddOutboxMessage(OutboxModelExtensions.DeserializeMessage<BenchmarkExecuted>(executed) with { Replayed = true });
                    rescored++;
                }
                else
                {
                    db.AddOutboxMessage(OutboxModelExtensions.DeserializeMessage<RunBenchmark>(commands[benchmark.ExecutionId]));
                }
            }

            run.Status = RunStatuses.Running;
            run.CompletedBenchmarks -= retried.Count;
            run.CompletedAt = null;
            run.RetriedAt = now;
            run.OverallScore = run.AccuracyScore = run.SpeedScore = run.EfficiencyScore = run.CostScore = run.ReliabilityScore = null;
            await db.SaveChangesAsync(token);

            var statusUrl = $"/benchmarks/runs/{run.RunId}";
            return TypedResults.Accepted(statusUrl, new RunRetryAccepted(run.RunId, run.Status, statusUrl, rescored, retried.Count - rescored));
        }, ct);
    }

    internal static (Guid AgentId, Guid SuiteId, EffectiveRunConfiguration Configuration, ValidationErrors Errors) Validate(StartRunRequest request)
    {
        var errors = new ValidationErrors();
        var agentId = ParseId(errors, "agent_id", request.AgentId);
        var suiteId = ParseId(errors, "suite_id", request.SuiteId);
        errors.MaxLength("agent_version", request.AgentVersion, Run.MaxAgentVersionLength);

        var c = request.Configuration;
        var defaults = new RunConfiguration();
        errors.Range("configuration.warmup_runs", c?.WarmupRuns, 0, RunLimits.MaxWarmupRuns);
        errors.Range("configuration.iterations", c?.Iterations, 1, RunLimits.MaxIterations);
        errors.Range("configuration.concurrency", c?.Concurrency, 1, RunLimits.MaxConcurrency);
        errors.Range("configuration.timeout_seconds", c?.TimeoutSeconds, 1, RunLimits.MaxTimeoutSeconds);
        errors.Range("configuration.max_consecutive_failures", c?.MaxConsecutiveFailures, 1, MaxConsecutiveFailuresLimit);

        var configuration = new EffectiveRunConfiguration(
            c?.WarmupRuns ?? defaults.WarmupRuns,
            c?.Iterations ?? defaults.Iterations,
            c?.Concurrency ?? defaults.Concurrency,
            c?.TimeoutSeconds ?? DefaultTimeoutSeconds,
            c?.MaxConsecutiveFailures ?? defaults.MaxConsecutiveFailures);
        return (agentId, suiteId, configuration, errors);
    }

    /// <summary>
    /// Every measured sample of a benchmark travels in one <see cref="BenchmarkExecuted"/> message, so the largest
    /// benchmark of the suite bounds the iterations (<see cref="RunLimits.MaxSamplesPerBenchmark"/>).
    /// </summary>
    internal static ValidationErrors ValidateSampleCount(CatalogSuite suite, int iterations)
    {
        var errors = new ValidationErrors();
        var largest = suite.Benchmarks.MaxBy(b => b.Items.Count);
        if (largest is { Items.Count: > 0 } && (long)largest.Items.Count * iterations > RunLimits.MaxSamplesPerBenchmark)
        {
            var allowed = RunLimits.MaxSamplesPerBenchmark / largest.Items.Count;
            var limit = allowed > 0 ? $"must be at most {allowed} for this suite" : "cannot be satisfied for this suite";
            errors.Add("configuration.iterations",
                $"{limit}: benchmark '{largest.Name}' has {largest.Items.Count} items, and one benchmark " +
                $"may produce at most {RunLimits.MaxSamplesPerBenchmark} samples (items × iterations).");
        }

        return errors;
    }

    internal static Guid ParseId(ValidationErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "is required.");
            return Guid.Empty;
        }

        if (!Guid.TryParse(value, out var id) || id == Guid.Empty)
        {
            errors.Add(field, "must be a GUID.");
        }

        return id;
    }

    /// <summary>
    /// The run, one row per benchmark and one <see cref="RunBenchmark"/> command per benchmark in the outbox: all in
    /// the caller's single SaveChanges, so a run is never recorded without its work, nor work sent without its run.
    /// </summary>
    internal static Run CreateRun(
        RunnerDbContext db, string workspaceId, AgentSnapshot agent, CatalogSuite suite, EffectiveRunConfiguration configuration, DateTimeOffset now,
        Guid? runId = null)
    {
        var run = new Run
        {
            RunId = runId ?? Guid.NewGuid(),
            WorkspaceId = workspaceId,
            AgentId = agent.AgentId,
            AgentVersion = agent.Version,
            AgentName = agent.AgentName,
            SuiteId = suite.SuiteId,
            ConfigurationJson = JsonSerializer.Serialize(configuration, ServiceDefaultsExtensions.PublicJson),
            Status = RunStatuses.Queued,
            TotalBenchmarks = suite.Benchmarks.Count,
            CreatedAt = now,
        };
        db.Runs.Add(run);

        var runConfiguration = new RunConfiguration
        {
            WarmupRuns = configuration.WarmupRuns,
            Iterations = configuration.Iterations,
            Concurrency = configuration.Concurrency,
            MaxConsecutiveFailures = configuration.MaxConsecutiveFailures,
        };
        for (var i = 0; i < suite.Benchmarks.Count; i++)
        {
            var benchmark = suite.Benchmarks[i];
            var executionId = Guid.NewGuid();
            run.Benchmarks.Add(new RunBenchmarkEntry
            {
                ExecutionId = executionId,
                RunId = run.RunId,
                BenchmarkId = benchmark.BenchmarkId,
                BenchmarkName = benchmark.Name,
                Position = i,
                Status = RunStatuses.Pending,
            });
            db.AddOutboxMessage(new RunBenchmark
            {
                RunId = run.RunId,
                ExecutionId = executionId,
                SuiteId = suite.SuiteId,
                SuiteCategory = suite.Category,
                Agent = agent,
                Benchmark = benchmark,
                Configuration = runConfiguration,
                RequestedAt = now,
                WorkspaceId = workspaceId,
            }, executionId);
        }

        return run;
    }

    /// <summary>The run, when it is <paramref name="caller"/>'s workspace's; another workspace's run is not found.</summary>
    private static Task<Run?> LoadAsync(RunnerDbContext db, Caller caller, Guid runId, CancellationToken ct) =>
        db.Runs.AsNoTracking().Include(r => r.Benchmarks)
            .SingleOrDefaultAsync(r => r.RunId == runId && r.WorkspaceId == caller.WorkspaceId, ct);

    private static ProblemHttpResult RunNotFound(Guid runId) =>
        TypedResults.Problem(title: "Run not found.", detail: $"No run {runId}.", statusCode: StatusCodes.Status404NotFound);

    private static RunResponse ToResponse(Run run)
    {
        using var configuration = JsonDocument.Parse(run.ConfigurationJson);
        return new RunResponse(
            run.RunId, run.AgentId, run.AgentName, run.AgentVersion, run.SuiteId, run.Status,
            configuration.RootElement.Clone(),
            new RunProgress(run.TotalBenchmarks, run.CompletedBenchmarks),
            run.CreatedAt, run.StartedAt, run.CompletedAt,
            new RunReport(
                run.OverallScore, run.AccuracyScore, run.SpeedScore, run.EfficiencyScore, run.CostScore, run.ReliabilityScore,
                run.Benchmarks.OrderBy(b => b.Position).Select(b => new RunBenchmarkReport(
                    b.BenchmarkId, b.BenchmarkName, b.ExecutionId, b.Status,
                    b.AccuracyScore, b.SpeedScore, b.EfficiencyScore, b.CostScore, b.ReliabilityScore, b.OverallScore,
                    b.TokensUsed, b.ApiCallsMade, b.CostUsd, b.MedianLatencyMs, b.ScoredAt, b.ErrorMessage)).ToList()));
    }
}
