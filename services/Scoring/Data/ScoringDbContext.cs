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
            e.Property(x => x.ExecutionId).HasColumnName("execution_id").ValueGeneratedNever();
            e.Property(x => x.RunId).HasColumnName("run_id");
            e.Property(x => x.AgentId).HasColumnName("agent_id");
            e.Property(x => x.AgentName).HasColumnName("agent_name").HasMaxLength(200);
            e.Property(x => x.AgentVersion).HasColumnName("agent_version").HasMaxLength(100);
            e.Property(x => x.SuiteId).HasColumnName("suite_id");
            e.Property(x => x.SuiteCategory).HasColumnName("suite_category").HasMaxLength(100);
            e.Property(x => x.BenchmarkId).HasColumnName("benchmark_id");
            e.Property(x => x.BenchmarkName).HasColumnName("benchmark_name").HasMaxLength(200);
            e.Property(x => x.BenchmarkCategory).HasColumnName("benchmark_category").HasMaxLength(100);
            e.Property(x => x.AccuracyScore).HasColumnName("accuracy_score");
            e.Property(x => x.SpeedScore).HasColumnName("speed_score");
            e.Property(x => x.EfficiencyScore).HasColumnName("efficiency_score");
            e.Property(x => x.CostScore).HasColumnName("cost_score");
            e.Property(x => x.ReliabilityScore).HasColumnName("reliability_score");
            e.Property(x => x.OverallScore).HasColumnName("overall_score");
            e.Property(x => x.ExecutionTimeMs).HasColumnName("execution_time_ms");
            e.Property(x => x.TokensUsed).HasColumnName("tokens_used");
            e.Property(x => x.ApiCallsMade).HasColumnName("api_calls_made");
            e.Property(x => x.CostUsd).HasColumnName("cost_usd").HasPrecision(20, 10);
            e.Property(x => x.Status).HasColumnName("status").HasMaxLength(20);
            e.Property(x => x.ErrorMessage).HasColumnName("error_message");
            e.Property(x => x.Metrics).HasColumnName("metrics").HasColumnType("jsonb");
            e.Property(x => x.WarmupRuns).HasColumnName("warmup_runs");
            e.Property(x => x.Iterations).HasColumnName("iterations");
            e.Property(x => x.TerminatedEarly).HasColumnName("terminated_early");
            e.Property(x => x.WorkerId).HasColumnName("worker_id").HasMaxLength(200);
            e.Property(x => x.StartedAt).HasColumnName("started_at");
            e.Property(x => x.CompletedAt).HasColumnName("completed_at");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.HasIndex(x => new { x.AgentId, x.CreatedAt }).HasDatabaseName("ix_benchmark_executions_agent_created");
            e.HasIndex(x => x.RunId).HasDatabaseName("ix_benchmark_executions_run");
        });

        modelBuilder.Entity<ExecutionSample>(e =>
        {
            e.ToTable("execution_samples");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(x => x.ExecutionId).HasColumnName("execution_id");
            e.Property(x => x.Iteration).HasColumnName("iteration");
            e.Property(x => x.ItemId).HasColumnName("item_id").HasMaxLength(200);
            e.Property(x => x.Output).HasColumnName("output");
            e.Property(x => x.Expected).HasColumnName("expected");
            e.Property(x => x.DurationMs).HasColumnName("duration_ms");
            e.Property(x => x.TtftMs).HasColumnName("ttft_ms");
            e.Property(x => x.InputTokens).HasColumnName("input_tokens");
            e.Property(x => x.OutputTokens).HasColumnName("output_tokens");
            e.Property(x => x.TokensReported).HasColumnName("tokens_reported");
            e.Property(x => x.CostUsd).HasColumnName("cost_usd").HasPrecision(20, 10);
            e.Property(x => x.ErrorKind).HasColumnName("error_kind").HasMaxLength(50);
            e.Property(x => x.Error).HasColumnName("error");
            e.Property(x => x.HttpStatus).HasColumnName("http_status");
            e.Property(x => x.Score).HasColumnName("score");
            e.Property(x => x.Correct).HasColumnName("correct");
            e.Property(x => x.Reason).HasColumnName("reason");
            e.HasIndex(x => x.ExecutionId).HasDatabaseName("ix_execution_samples_execution");

            // Samples live and die with their execution.
            e.HasOne<BenchmarkExecution>().WithMany().HasForeignKey(x => x.ExecutionId).OnDelete(DeleteBehavior.Cascade)
                .HasConstraintName("fk_execution_samples_benchmark_executions");
        });
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
