using BenchMesh.Persistence;
using BenchMesh.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Data;

public static class StressRunStatuses
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>A stress run: what was asked (parameters), how far it got, and what it measured (result).</summary>
public sealed class StressRun
{
    public Guid StressRunId { get; set; }

    /// <summary>The workspace of the key that started the run: only its callers see the run (runs from before keys: <c>default</c>).</summary>
    public required string WorkspaceId { get; set; }

    public Guid AgentId { get; set; }
    public required string AgentName { get; set; }
    public required string AgentVersion { get; set; }
    public required string Scenario { get; set; }
    public required string Status { get; set; }

    /// <summary>The effective parameters (defaults applied), snake_case JSON.</summary>
    public required string ParametersJson { get; set; }

    /// <summary>The measured result, snake_case JSON; null until the run ends.</summary>
    public string? ResultJson { get; set; }
    public long RequestsCompleted { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// The service instance that accepted the run and holds its job in memory (<see cref="Runs.StressInstance"/>):
    /// only that instance can execute it.
    /// </summary>
    public required string Owner { get; set; }

    /// <summary>
    /// Refreshed every few seconds by the owner while the run is queued or running; a run whose heartbeat stopped
    /// belongs to an instance that is gone, and is failed by whichever replica notices (<see cref="Runs.StressRunSupervisor"/>).
    /// </summary>
    public DateTimeOffset HeartbeatAt { get; set; }

    /// <summary>
    /// How many Stress workers share the load (1: this instance runs it alone). With more, the run's load is split into
    /// <see cref="StressRunShare"/>s that any instance may run; the run ends when every share has reported, or at
    /// <see cref="DeadlineAt"/>, and no heartbeat applies to it.
    /// </summary>
    public int Workers { get; set; } = 1;

    /// <summary>The suite whose dataset items are the request bodies (of <see cref="BenchmarkId"/> only, when set); null: the default prompt.</summary>
    public Guid? SuiteId { get; set; }

    public Guid? BenchmarkId { get; set; }

    /// <summary>Distributed runs: the common start of every share's load.</summary>
    public DateTimeOffset? StartAt { get; set; }

    /// <summary>Distributed runs: the moment after which shares that have not reported fail the run.</summary>
    public DateTimeOffset? DeadlineAt { get; set; }

    public List<StressRunShare> Shares { get; set; } = [];
}

public static class StressShareStatuses
{
    /// <summary>Published, not taken by a worker yet.</summary>
    public const string Pending = "pending";

    /// <summary>Taken by a worker (<see cref="StressRunShare.Worker"/>), which has not reported yet.</summary>
    public const string Running = "running";

    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>One worker's part of a distributed run: its parameters, who took it, and its partial result once reported.</summary>
public sealed class StressRunShare
{
    public Guid StressRunId { get; set; }

    /// <summary>From 1 to the run's <see cref="StressRun.Workers"/>.</summary>
    public int ShareIndex { get; set; }

    public required string Status { get; set; }

    /// <summary>This share's parameters (the run's, with the load divided), snake_case JSON.</summary>
    public required string ParametersJson { get; set; }

    /// <summary>The instance that took it (<see cref="Runs.StressInstance"/>); null while pending.</summary>
    public string? Worker { get; set; }

    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public long Requests { get; set; }
    public string? Error { get; set; }

    /// <summary>The reported phases (each a load result and its encoded histograms), JSON; null until reported.</summary>
    public string? PartialJson { get; set; }
}

public sealed class StressDbContext(DbContextOptions<StressDbContext> options) : DbContext(options), IOutboxDbContext
{
    public const string Schema = "stress";

    public DbSet<StressRun> StressRuns => Set<StressRun>();
    public DbSet<StressRunShare> StressRunShares => Set<StressRunShare>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.AddOutbox();
        modelBuilder.Entity<StressRun>(e =>
        {
            e.ToTable("stress_runs");
            e.HasKey(r => r.StressRunId);
            e.Property(r => r.StressRunId).ValueGeneratedNever();
            e.Property(r => r.WorkspaceId).HasMaxLength(200);
            e.Property(r => r.AgentName).HasMaxLength(200);
            e.Property(r => r.AgentVersion).HasMaxLength(100);
            e.Property(r => r.Scenario).HasMaxLength(40);
            // A concurrency token: a run's end is written once, either by its owner or by a replica that found it
            // abandoned, never both (the loser's SaveChanges fails and its event is not written).
            e.Property(r => r.Status).HasMaxLength(20).IsConcurrencyToken();
            e.Property(r => r.ParametersJson).HasColumnName("parameters").HasColumnType("jsonb");
            e.Property(r => r.ResultJson).HasColumnName("result").HasColumnType("jsonb");
            e.Property(r => r.Owner).HasMaxLength(200);
            e.HasIndex(r => new { r.AgentId, r.CreatedAt }).HasDatabaseName("ix_stress_runs_agent");
            // GET /stress/runs pages the caller's workspace newest first by (created_at, stress_run_id): unfiltered, or by
            // status (the index above serves the agent filter).
            e.HasIndex(r => new { r.WorkspaceId, r.CreatedAt, r.StressRunId }).HasDatabaseName("ix_stress_runs_workspace_created_at");
            e.HasIndex(r => new { r.WorkspaceId, r.Status, r.CreatedAt, r.StressRunId }).HasDatabaseName("ix_stress_runs_workspace_status_created_at");
            // The heartbeat and the sweep for abandoned runs only ever look at running runs.
            e.HasIndex(r => r.HeartbeatAt).HasFilter("status = 'running'").HasDatabaseName("ix_stress_runs_running");
            e.Property(r => r.Workers).HasDefaultValue(1);
            // The deadline sweep only ever looks at running distributed runs.
            e.HasIndex(r => r.DeadlineAt).HasFilter("status = 'running' AND workers > 1").HasDatabaseName("ix_stress_runs_deadline");
            e.HasMany(r => r.Shares).WithOne().HasForeignKey(s => s.StressRunId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<StressRunShare>(e =>
        {
            e.ToTable("stress_run_shares");
            e.HasKey(s => new { s.StressRunId, s.ShareIndex });
            e.Property(s => s.Status).HasMaxLength(20);
            e.Property(s => s.ParametersJson).HasColumnName("parameters").HasColumnType("jsonb");
            e.Property(s => s.Worker).HasMaxLength(200);
            e.Property(s => s.PartialJson).HasColumnName("partial").HasColumnType("jsonb");
        });

        modelBuilder.UseSnakeCaseColumnNames();
    }
}
