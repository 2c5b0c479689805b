using BenchMesh.Persistence;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Runner.Apis;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Runner.Data;

public sealed class RunnerDbContext(DbContextOptions<RunnerDbContext> options) : DbContext(options), IOutboxDbContext
{
    public const string Schema = "runner";

    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunBenchmarkEntry> RunBenchmarks => Set<RunBenchmarkEntry>();
    public DbSet<BenchmarkResult> BenchmarkResults => Set<BenchmarkResult>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<BenchmarkSchedule> Schedules => Set<BenchmarkSchedule>();
    public DbSet<ScheduleFiring> ScheduleFirings => Set<ScheduleFiring>();
    public DbSet<ConfirmationSequence> ConfirmationSequences => Set<ConfirmationSequence>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        // The outbox body and the results' body are text, not jsonb: both hold the whole BenchmarkExecuted (about 350
        // bytes of JSON a sample, 29 MB at 82,000 samples), written once and only ever read back whole, and PostgreSQL's
        // jsonb parse of both on insert was most of the time from the save to its commit (docs/timing.md, "Second pass").
        modelBuilder.AddOutbox(bodyColumnType: "text");

        modelBuilder.Entity<Run>(e =>
        {
            e.ToTable("runs");
            e.HasKey(r => r.RunId);
            e.Property(r => r.RunId).ValueGeneratedNever();
            e.Property(r => r.AgentVersion).HasMaxLength(Run.MaxAgentVersionLength);
            e.Property(r => r.AgentName).HasMaxLength(200);
            e.Property(r => r.ConfigurationJson).HasColumnName("configuration").HasColumnType("jsonb");
            e.Property(r => r.Status).HasMaxLength(20);
            e.Property(r => r.WorkspaceId).HasMaxLength(RunAccess.MaxWorkspaceIdLength);
            e.HasIndex(r => new { r.AgentId, r.CreatedAt }).HasDatabaseName("ix_runs_agent_id_created_at");
            // GET /benchmarks/runs pages a workspace's runs newest first by (created_at, run_id): unfiltered, or by suite
            // or status (the index above serves the agent filter; an agent's runs are nearly all one workspace's).
            e.HasIndex(r => new { r.WorkspaceId, r.CreatedAt, r.RunId }).HasDatabaseName("ix_runs_workspace_id_created_at");
            e.HasIndex(r => new { r.SuiteId, r.CreatedAt, r.RunId }).HasDatabaseName("ix_runs_suite_id_created_at");
            e.HasIndex(r => new { r.WorkspaceId, r.Status, r.CreatedAt, r.RunId }).HasDatabaseName("ix_runs_workspace_id_status_created_at");
            e.HasMany(r => r.Benchmarks).WithOne().HasForeignKey(b => b.RunId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<RunBenchmarkEntry>(e =>
        {
            e.ToTable("run_benchmarks");
            e.HasKey(b => b.ExecutionId);
            e.Property(b => b.ExecutionId).ValueGeneratedNever();
            e.Property(b => b.BenchmarkName).HasMaxLength(200);
            e.Property(b => b.Status).HasMaxLength(20);
            e.Property(b => b.CostUsd).HasPrecision(18, 8);
            e.Property(b => b.ErrorMessage).HasMaxLength(RunBenchmarkEntry.MaxErrorMessageLength);
            e.HasIndex(b => new { b.RunId, b.BenchmarkId }).IsUnique().HasDatabaseName("ux_run_benchmarks_run_id_benchmark_id");
            // The supervisor's pass reads only pending benchmarks.
            e.HasIndex(b => b.RunId).HasFilter("status = 'pending'").HasDatabaseName("ix_run_benchmarks_pending");
        });

        modelBuilder.Entity<BenchmarkResult>(e =>
        {
            e.ToTable("benchmark_results");
            e.HasKey(r => r.ExecutionId);
            e.Property(r => r.ExecutionId).ValueGeneratedNever();
            e.Property(r => r.Body).HasColumnType("text");
            e.HasIndex(r => r.RunId).HasDatabaseName("ix_benchmark_results_run_id");
        });

        modelBuilder.Entity<BenchmarkSchedule>(e =>
        {
            e.ToTable("schedules");
            e.HasKey(s => s.ScheduleId);
            e.Property(s => s.ScheduleId).ValueGeneratedNever();
            e.Property(s => s.AgentVersion).HasMaxLength(Run.MaxAgentVersionLength);
            e.Property(s => s.CronExpression).HasMaxLength(BenchmarkSchedule.MaxCronExpressionLength);
            e.Property(s => s.TimeZone).HasMaxLength(BenchmarkSchedule.MaxTimeZoneLength);
            e.Property(s => s.ConfigurationJson).HasColumnName("configuration").HasColumnType("jsonb");
            e.Property(s => s.WorkspaceId).HasMaxLength(RunAccess.MaxWorkspaceIdLength);
            e.HasIndex(s => s.WorkspaceId).HasDatabaseName("ix_schedules_workspace_id");
            e.HasIndex(s => new { s.AgentId, s.SuiteId }).HasDatabaseName("ix_schedules_agent_id_suite_id");
            e.HasIndex(s => s.SuiteId).HasDatabaseName("ix_schedules_suite_id");
        });

        modelBuilder.Entity<ScheduleFiring>(e =>
        {
            e.ToTable("schedule_firings");
            e.HasKey(f => f.FiringId);
            e.Property(f => f.FiringId).ValueGeneratedNever();
            e.Property(f => f.Outcome).HasMaxLength(40);
            e.Property(f => f.Detail).HasMaxLength(ScheduleFiring.MaxDetailLength);
            e.Property(f => f.InstanceId).HasMaxLength(200);
            e.HasIndex(f => new { f.ScheduleId, f.ScheduledFor }).IsUnique().HasDatabaseName("ux_schedule_firings_schedule_id_scheduled_for");
            e.HasOne<BenchmarkSchedule>().WithMany().HasForeignKey(f => f.ScheduleId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ConfirmationSequence>(e =>
        {
            e.ToTable("confirmation_sequences");
            e.HasKey(c => c.RequestId);
            e.Property(c => c.RequestId).ValueGeneratedNever();
            e.Property(c => c.CandidateAgentJson).HasColumnName("candidate_agent").HasColumnType("jsonb");
            e.Property(c => c.BaselineAgentJson).HasColumnName("baseline_agent").HasColumnType("jsonb");
            e.Property(c => c.SuiteJson).HasColumnName("suite").HasColumnType("jsonb");
            e.Property(c => c.ConfigurationJson).HasColumnName("configuration").HasColumnType("jsonb");
            e.HasIndex(c => c.CurrentRunId).IsUnique().HasDatabaseName("ux_confirmation_sequences_current_run_id");
        });

        modelBuilder.UseSnakeCaseColumnNames();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without starting the host.</summary>
public sealed class RunnerDbContextFactory : IDesignTimeDbContextFactory<RunnerDbContext>
{
    public RunnerDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<RunnerDbContext>()
        .UseNpgsql("Host=127.0.0.1;Port=5432;Database=benchmesh_runner;Username=postgres;Password=postgres")
        .Options);
}
