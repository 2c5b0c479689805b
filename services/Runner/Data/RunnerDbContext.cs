using BenchMesh.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Runner.Data;

public sealed class RunnerDbContext(DbContextOptions<RunnerDbContext> options) : DbContext(options), IOutboxDbContext
{
    public const string Schema = "runner";

    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunBenchmarkEntry> RunBenchmarks => Set<RunBenchmarkEntry>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.AddOutbox();

        modelBuilder.Entity<Run>(e =>
        {
            e.ToTable("runs");
            e.HasKey(r => r.RunId);
            e.Property(r => r.RunId).HasColumnName("run_id").ValueGeneratedNever();
            e.Property(r => r.AgentId).HasColumnName("agent_id");
            e.Property(r => r.AgentVersion).HasColumnName("agent_version").HasMaxLength(100);
            e.Property(r => r.AgentName).HasColumnName("agent_name").HasMaxLength(200);
            e.Property(r => r.SuiteId).HasColumnName("suite_id");
            e.Property(r => r.ConfigurationJson).HasColumnName("configuration").HasColumnType("jsonb");
            e.Property(r => r.Status).HasColumnName("status").HasMaxLength(20);
            e.Property(r => r.TotalBenchmarks).HasColumnName("total_benchmarks");
            e.Property(r => r.CompletedBenchmarks).HasColumnName("completed_benchmarks");
            e.Property(r => r.CreatedAt).HasColumnName("created_at");
            e.Property(r => r.StartedAt).HasColumnName("started_at");
            e.Property(r => r.CompletedAt).HasColumnName("completed_at");
            e.Property(r => r.OverallScore).HasColumnName("overall_score");
            e.Property(r => r.AccuracyScore).HasColumnName("accuracy_score");
            e.Property(r => r.SpeedScore).HasColumnName("speed_score");
            e.Property(r => r.EfficiencyScore).HasColumnName("efficiency_score");
            e.Property(r => r.CostScore).HasColumnName("cost_score");
            e.Property(r => r.ReliabilityScore).HasColumnName("reliability_score");
            e.HasIndex(r => new { r.AgentId, r.CreatedAt }).HasDatabaseName("ix_runs_agent_id_created_at");
            e.HasMany(r => r.Benchmarks).WithOne().HasForeignKey(b => b.RunId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<RunBenchmarkEntry>(e =>
        {
            e.ToTable("run_benchmarks");
            e.HasKey(b => b.ExecutionId);
            e.Property(b => b.ExecutionId).HasColumnName("execution_id").ValueGeneratedNever();
            e.Property(b => b.RunId).HasColumnName("run_id");
            e.Property(b => b.BenchmarkId).HasColumnName("benchmark_id");
            e.Property(b => b.BenchmarkName).HasColumnName("benchmark_name").HasMaxLength(200);
            e.Property(b => b.Position).HasColumnName("position");
            e.Property(b => b.Status).HasColumnName("status").HasMaxLength(20);
            e.Property(b => b.AccuracyScore).HasColumnName("accuracy_score");
            e.Property(b => b.SpeedScore).HasColumnName("speed_score");
            e.Property(b => b.EfficiencyScore).HasColumnName("efficiency_score");
            e.Property(b => b.CostScore).HasColumnName("cost_score");
            e.Property(b => b.ReliabilityScore).HasColumnName("reliability_score");
            e.Property(b => b.OverallScore).HasColumnName("overall_score");
            e.Property(b => b.TokensUsed).HasColumnName("tokens_used");
            e.Property(b => b.ApiCallsMade).HasColumnName("api_calls_made");
            e.Property(b => b.CostUsd).HasColumnName("cost_usd").HasPrecision(18, 8);
            e.Property(b => b.MedianLatencyMs).HasColumnName("median_latency_ms");
            e.Property(b => b.ScoredAt).HasColumnName("scored_at");
            e.Property(b => b.ErrorMessage).HasColumnName("error_message").HasMaxLength(RunBenchmarkEntry.MaxErrorMessageLength);
            e.HasIndex(b => new { b.RunId, b.BenchmarkId }).IsUnique().HasDatabaseName("ux_run_benchmarks_run_id_benchmark_id");
        });
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without starting the host.</summary>
public sealed class RunnerDbContextFactory : IDesignTimeDbContextFactory<RunnerDbContext>
{
    public RunnerDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<RunnerDbContext>()
        .UseNpgsql("Host=127.0.0.1;Port=5432;Database=benchmesh_runner;Username=postgres;Password=postgres")
        .Options);
}
