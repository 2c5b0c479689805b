using BenchMesh.Contracts.Regression;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Persistence;
using BenchMesh.Messaging.Outbox;
using BenchMesh.ServiceDefaults;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Regression.Data;

/// <summary>One scored execution as Regression keeps it: who, which benchmark, and the values it is judged on.</summary>
public sealed class VersionResult
{
    public Guid ExecutionId { get; set; }
    public Guid RunId { get; set; }
    public Guid AgentId { get; set; }
    public required string AgentName { get; set; }
    public required string AgentVersion { get; set; }

    /// <summary>The agent's workspace (<c>default</c> for executions scored before events carried it).</summary>
    public string WorkspaceId { get; set; } = WorkspaceOwner.Default;
    public Guid SuiteId { get; set; }
    public Guid BenchmarkId { get; set; }
    public required string BenchmarkName { get; set; }
    public required string Status { get; set; }
    public int Samples { get; set; }
    public double Accuracy { get; set; }
    public double MedianLatencyMs { get; set; }
    public double MeanCostPerTaskUsd { get; set; }
    public double MeanTokensPerTask { get; set; }
    public double ErrorRate { get; set; }
    public DateTimeOffset ScoredAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>Per measured pass (snake_case JSON array of the contract's IterationMetrics): the runs the engine judges.</summary>
    public string PerIterationJson { get; set; } = "[]";

    /// <summary>Per item [successes, attempts] (JSON object): for paired accuracy tests.</summary>
    public string ItemOutcomesJson { get; set; } = "{}";

    /// <summary>
    /// The order rows were stored in (an identity, assigned on insert). An agent's rows are inserted under its advisory
    /// lock, one judgement at a time, so its sequence grows in commit order: a judgement that kept the agent's history in
    /// memory reads only the rows above the highest it holds (AgentHistoryCache), whichever replica stored them.
    /// </summary>
    public long Sequence { get; set; }

    /// <summary>The row kept for a scored execution received at <paramref name="receivedAt"/>.</summary>
    public static VersionResult From(ExecutionScored scored, DateTimeOffset receivedAt) => new()
    {
        ExecutionId = scored.ExecutionId,
        RunId = scored.RunId,
        AgentId = scored.AgentId,
        AgentName = scored.AgentName,
        AgentVersion = scored.AgentVersion,
        WorkspaceId = WorkspaceOwner.Of(scored.WorkspaceId),
        SuiteId = scored.SuiteId,
        BenchmarkId = scored.BenchmarkId,
        BenchmarkName = scored.BenchmarkName,
        Status = scored.Status,
        Samples = scored.Metrics.Samples,
        Accuracy = scored.Metrics.Accuracy,
        MedianLatencyMs = scored.Metrics.MedianLatencyMs,
        MeanCostPerTaskUsd = scored.Metrics.MeanCostPerTaskUsd,
        MeanTokensPerTask = scored.Metrics.MeanTokensPerTask,
        ErrorRate = scored.Metrics.ErrorRate,
        // timestamptz takes only UTC offsets.
        ScoredAt = scored.ScoredAt.ToUniversalTime(),
        ReceivedAt = receivedAt,
        PerIterationJson = System.Text.Json.JsonSerializer.Serialize(scored.Metrics.PerIteration, ServiceDefaultsExtensions.PublicJson),
        ItemOutcomesJson = System.Text.Json.JsonSerializer.Serialize(scored.ItemOutcomes),
    };
}

/// <summary>A regression raised by the consumer (and published as RegressionDetected).</summary>
public sealed class RegressionRecord
{
    public Guid RegressionId { get; set; }
    public Guid ExecutionId { get; set; }
    public Guid BaselineExecutionId { get; set; }
    public Guid RunId { get; set; }
    public Guid AgentId { get; set; }
    public required string AgentName { get; set; }

    /// <summary>
    /// The agent's workspace, kept on the row (not derived from the agent) so that the workspace's alert list is one
    /// index range; <c>default</c> for regressions raised before workspaces.
    /// </summary>
    public string WorkspaceId { get; set; } = WorkspaceOwner.Default;
    public Guid SuiteId { get; set; }
    public Guid BenchmarkId { get; set; }
    public required string BenchmarkName { get; set; }
    public required string CandidateVersion { get; set; }
    public required string BaselineVersion { get; set; }
    public required string Metric { get; set; }
    public required string Direction { get; set; }
    public double BaselineValue { get; set; }
    public double CurrentValue { get; set; }
    public double RegressionPercentage { get; set; }
    public double Threshold { get; set; }
    public required string Severity { get; set; }
    public required string Detector { get; set; }
    public required string ImpactAnalysis { get; set; }
    public DateTimeOffset DetectedAt { get; set; }

    /// <summary>The version the change is attributed to (the candidate itself for the gate).</summary>
    public required string BlamedVersion { get; set; }

    /// <summary><c>gate</c>, <c>confirm</c> or <c>change_point</c>.</summary>
    public required string Path { get; set; }
    public double EffectLower { get; set; }
    public double EffectUpper { get; set; }
    public double PValue { get; set; }
    public double QValue { get; set; }
    public double? MinimumDetectableEffect { get; set; }
    public int CandidateRuns { get; set; }
    public int BaselineRuns { get; set; }
}

/// <summary>
/// The engine's verdict on one benchmark × metric of a version, as of the last judgement in which that version was the
/// newest of the series (every execution of the agent judges its history again and rewrites these rows).
/// </summary>
public sealed class VerdictRecord
{
    public Guid AgentId { get; set; }
    public required string AgentVersion { get; set; }
    public Guid BenchmarkId { get; set; }
    public required string Metric { get; set; }
    public required string BenchmarkName { get; set; }

    /// <summary><c>regressed</c>, <c>improved</c>, <c>no_change</c> or <c>inconclusive</c>.</summary>
    public required string Verdict { get; set; }

    /// <summary>Versions of the series that had values of the metric: 1 means there was nothing to compare with.</summary>
    public int VersionsJudged { get; set; }

    /// <summary>The budget the verdict answers to: <c>one_shot</c> or <c>monitor</c>.</summary>
    public string DecisionLevel { get; set; } = RegressionDecisionLevels.Monitor;
    public double? EffectEstimate { get; set; }
    public double? EffectLower { get; set; }
    public double? EffectUpper { get; set; }
    public double? PValue { get; set; }
    public double? QValue { get; set; }
    public double? MinimumDetectableEffect { get; set; }
    public int? AdditionalRuns { get; set; }
    public string? Reason { get; set; }

    /// <summary>For a regressed verdict, the regression as reports show it (snake_case JSON); null otherwise.</summary>
    public string? RegressionJson { get; set; }
    public DateTimeOffset JudgedAt { get; set; }

    /// <summary>
    /// Where the cell's interleaved confirmation stands (<see cref="ConfirmationStates"/>): null when none was asked for,
    /// <c>pending</c> while its runs are awaited, <c>done</c> once the verdict was taken on them.
    /// </summary>
    public string? Confirmation { get; set; }
}

/// <summary>The states of a cell's interleaved confirmation, as verdicts report them.</summary>
public static class ConfirmationStates
{
    public const string Pending = "pending";
    public const string Done = "done";
}

/// <summary>
/// A request for confirmation runs (ConfirmationRunsRequested), one row per agent version and benchmark: interleaved with
/// <see cref="BaselineVersion"/> (null for a request from before interleaving: the candidate alone was re-run), over
/// <see cref="Rounds"/> rounds so far (at most <c>ExecutionScoredConsumer.MaxConfirmationRounds</c>).
/// </summary>
public sealed class ConfirmationRequest
{
    public Guid AgentId { get; set; }
    public required string AgentVersion { get; set; }
    public Guid BenchmarkId { get; set; }
    public Guid RequestId { get; set; }

    /// <summary>The borderline metrics, comma-separated.</summary>
    public required string Metrics { get; set; }
    public int AdditionalRuns { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public string? BaselineVersion { get; set; }
    public int Rounds { get; set; } = 1;
}

public sealed class RegressionDbContext(DbContextOptions<RegressionDbContext> options) : DbContext(options), IOutboxDbContext
{
    public const string Schema = "regression";

    /// <summary>Suites' limit on a workspace id (its <c>Limits.NameLength</c>).</summary>
    public const int WorkspaceIdLength = 200;

    public DbSet<VersionResult> VersionResults => Set<VersionResult>();
    public DbSet<RegressionRecord> Regressions => Set<RegressionRecord>();
    public DbSet<VerdictRecord> Verdicts => Set<VerdictRecord>();
    public DbSet<ConfirmationRequest> ConfirmationRequests => Set<ConfirmationRequest>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.AddOutbox();

        modelBuilder.Entity<VersionResult>(e =>
        {
            e.ToTable("version_results");
            e.HasKey(r => r.ExecutionId);
            e.Property(r => r.ExecutionId).ValueGeneratedNever();
            e.Property(r => r.AgentName).HasMaxLength(200);
            e.Property(r => r.AgentVersion).HasMaxLength(100);
            e.Property(r => r.BenchmarkName).HasMaxLength(200);
            e.Property(r => r.Status).HasMaxLength(20);
            e.Property(r => r.WorkspaceId).HasMaxLength(WorkspaceIdLength).HasDefaultValue(WorkspaceOwner.Default);
            e.Property(r => r.PerIterationJson).HasColumnName("per_iteration").HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
            e.Property(r => r.ItemOutcomesJson).HasColumnName("item_outcomes").HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            // Version history of an agent, and "latest execution of a benchmark under a version".
            e.HasIndex(r => new { r.AgentId, r.AgentVersion, r.ScoredAt }).HasDatabaseName("ix_version_results_agent_version");
            e.HasIndex(r => new { r.AgentId, r.BenchmarkId, r.ScoredAt }).HasDatabaseName("ix_version_results_agent_benchmark");
            // The rows of an agent stored since a judgement it remembers (AgentHistoryCache), and how many there were before.
            e.Property(r => r.Sequence).UseIdentityByDefaultColumn();
            e.HasIndex(r => new { r.AgentId, r.Sequence }).HasDatabaseName("ix_version_results_agent_sequence");
        });

        modelBuilder.Entity<RegressionRecord>(e =>
        {
            e.ToTable("regressions");
            e.HasKey(r => r.RegressionId);
            e.Property(r => r.RegressionId).ValueGeneratedNever();
            e.Property(r => r.AgentName).HasMaxLength(200);
            e.Property(r => r.BenchmarkName).HasMaxLength(200);
            e.Property(r => r.CandidateVersion).HasMaxLength(100);
            e.Property(r => r.BaselineVersion).HasMaxLength(100);
            e.Property(r => r.Metric).HasMaxLength(40);
            e.Property(r => r.Direction).HasMaxLength(20);
            e.Property(r => r.Severity).HasMaxLength(20);
            e.Property(r => r.Detector).HasMaxLength(40);
            e.Property(r => r.BlamedVersion).HasMaxLength(100).HasDefaultValue("");
            e.Property(r => r.Path).HasMaxLength(20).HasDefaultValue("");
            // The id is derived from agent, benchmark, metric and blamed version: a change is raised once, however
            // often the history is judged again (re-deliveries, re-runs, later versions).
            e.HasIndex(r => new { r.ExecutionId, r.Metric }).HasDatabaseName("ix_regressions_execution_metric");
            e.HasIndex(r => new { r.AgentId, r.DetectedAt }).HasDatabaseName("ix_regressions_agent");
            e.Property(r => r.WorkspaceId).HasMaxLength(WorkspaceIdLength).HasDefaultValue(WorkspaceOwner.Default);
            // GET /benchmarks/regressions: a workspace's alerts, newest first, paged by (detected_at, regression_id).
            e.HasIndex(r => new { r.WorkspaceId, r.DetectedAt, r.RegressionId }).HasDatabaseName("ix_regressions_workspace");
        });

        modelBuilder.Entity<VerdictRecord>(e =>
        {
            e.ToTable("verdicts");
            e.HasKey(v => new { v.AgentId, v.AgentVersion, v.BenchmarkId, v.Metric });
            e.Property(v => v.AgentVersion).HasMaxLength(100);
            e.Property(v => v.Metric).HasMaxLength(40);
            e.Property(v => v.BenchmarkName).HasMaxLength(200);
            e.Property(v => v.Verdict).HasMaxLength(20);
            e.Property(v => v.DecisionLevel).HasMaxLength(20).HasDefaultValue(RegressionDecisionLevels.Monitor);
            e.Property(v => v.Confirmation).HasMaxLength(20);
            e.Property(v => v.RegressionJson).HasColumnName("regression").HasColumnType("jsonb");
        });

        modelBuilder.Entity<ConfirmationRequest>(e =>
        {
            e.ToTable("confirmation_requests");
            e.HasKey(r => new { r.AgentId, r.AgentVersion, r.BenchmarkId });
            e.Property(r => r.AgentVersion).HasMaxLength(100);
            e.Property(r => r.Metrics).HasMaxLength(200);
            e.Property(r => r.BaselineVersion).HasMaxLength(100);
        });

        modelBuilder.UseSnakeCaseColumnNames();
    }
}
