using BenchMesh.Persistence;
using BenchMesh.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Scoring.Data;

public sealed class ScoringDbContext(DbContextOptions<ScoringDbContext> options) : DbContext(options), IOutboxDbContext
{
    public const string Schema = "scoring";

    public DbSet<BenchmarkExecution> BenchmarkExecutions => Set<BenchmarkExecution>();
    public DbSet<ExecutionSample> ExecutionSamples => Set<ExecutionSample>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.AddOutbox();

        modelBuilder.Entity<BenchmarkExecution>(e =>
        {
            e.ToTable("benchmark_executions");
            e.HasKey(x => x.ExecutionId);
            // The specification's column names (§1.2) where they differ from the properties'.
            e.Property(x => x.ExecutionId).HasColumnName("id").ValueGeneratedNever();
            e.Property(x => x.AgentName).HasMaxLength(200);
            e.Property(x => x.AgentVersion).HasMaxLength(100);
            e.Property(x => x.SuiteCategory).HasMaxLength(100);
            e.Property(x => x.BenchmarkName).HasMaxLength(200);
            e.Property(x => x.BenchmarkCategory).HasMaxLength(100);
            e.Property(x => x.ExecutionEnvironment).HasColumnType("jsonb");
            e.Property(x => x.ModelConfiguration).HasColumnType("jsonb");
            e.Property(x => x.CostUsd).HasPrecision(20, 10);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Metrics).HasColumnType("jsonb");
            e.Property(x => x.TerminationReason).HasMaxLength(50);
            e.Property(x => x.WarmupCostUsd).HasPrecision(20, 10);
            e.Property(x => x.JudgeCostUsd).HasPrecision(20, 10);
            e.Property(x => x.WorkerId).HasMaxLength(200);
            e.HasIndex(x => new { x.AgentId, x.CreatedAt }).HasDatabaseName("idx_benchmark_exec_agent");
            e.HasIndex(x => new { x.SuiteId, x.BenchmarkId }).HasDatabaseName("idx_benchmark_exec_suite");
            // The percentile rank's peers (a suite benchmark's executions of the last 30 days): an index-only range scan.
            e.HasIndex(x => new { x.SuiteId, x.BenchmarkId, x.CreatedAt }).IncludeProperties(x => x.OverallScore)
                .HasDatabaseName("ix_benchmark_executions_percentile_peers");
            e.HasIndex(x => new { x.AccuracyScore, x.SpeedScore }).HasDatabaseName("idx_benchmark_exec_scores");
            e.HasIndex(x => x.RunId).HasDatabaseName("ix_benchmark_executions_run");
        });

        modelBuilder.Entity<ExecutionSample>(e =>
        {
            e.ToTable("execution_samples");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
            e.Property(x => x.ItemId).HasMaxLength(200);
            e.Property(x => x.CostUsd).HasPrecision(20, 10);
            e.Property(x => x.ErrorKind).HasMaxLength(50);
            e.Property(x => x.Judgement).HasColumnType("jsonb");
            e.HasIndex(x => x.ExecutionId).HasDatabaseName("ix_execution_samples_execution");

            // Samples live and die with their execution.
            e.HasOne<BenchmarkExecution>().WithMany().HasForeignKey(x => x.ExecutionId).OnDelete(DeleteBehavior.Cascade)
                .HasConstraintName("fk_execution_samples_benchmark_executions");
        });

        modelBuilder.UseSnakeCaseColumnNames();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context without starting the host.</summary>
public sealed class ScoringDbContextFactory : IDesignTimeDbContextFactory<ScoringDbContext>
{
    public ScoringDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ScoringDbContext>()
            .UseNpgsql("Host=127.0.0.1;Port=5432;Database=benchmesh_scoring;Username=postgres;Password=postgres")
            .Options);
}
