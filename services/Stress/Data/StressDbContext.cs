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
}

public sealed class StressDbContext(DbContextOptions<StressDbContext> options) : DbContext(options), IOutboxDbContext
{
    public const string Schema = "stress";

    public DbSet<StressRun> StressRuns => Set<StressRun>();
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
            // The heartbeat and the sweep for abandoned runs only ever look at running runs.
            e.HasIndex(r => r.HeartbeatAt).HasFilter("status = 'running'").HasDatabaseName("ix_stress_runs_running");
        });

        modelBuilder.UseSnakeCaseColumnNames();
    }
}
