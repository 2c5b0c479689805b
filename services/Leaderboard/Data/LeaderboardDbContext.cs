using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Leaderboard.Data;

public sealed class LeaderboardDbContext(DbContextOptions<LeaderboardDbContext> options) : DbContext(options)
{
    public const string Schema = "leaderboard";
    public const string ScoresTable = "agent_benchmark_scores";

    public DbSet<AgentBenchmarkScore> Scores => Set<AgentBenchmarkScore>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<AgentBenchmarkScore>(e =>
        {
            e.ToTable(ScoresTable);
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
            e.Property(x => x.Status).HasColumnName("status").HasMaxLength(20);
            e.Property(x => x.AccuracyScore).HasColumnName("accuracy_score");
            e.Property(x => x.SpeedScore).HasColumnName("speed_score");
            e.Property(x => x.EfficiencyScore).HasColumnName("efficiency_score");
            e.Property(x => x.CostScore).HasColumnName("cost_score");
            e.Property(x => x.ReliabilityScore).HasColumnName("reliability_score");
            e.Property(x => x.OverallScore).HasColumnName("overall_score");
            e.Property(x => x.Samples).HasColumnName("samples");
            e.Property(x => x.ErrorRate).HasColumnName("error_rate");
            e.Property(x => x.MedianLatencyMs).HasColumnName("median_latency_ms");
            e.Property(x => x.P95LatencyMs).HasColumnName("p95_latency_ms");
            e.Property(x => x.MeanTokensPerTask).HasColumnName("mean_tokens_per_task");
            e.Property(x => x.MeanCostPerTaskUsd).HasColumnName("mean_cost_per_task_usd");
            e.Property(x => x.TokensUsed).HasColumnName("tokens_used");
            e.Property(x => x.TotalCostUsd).HasColumnName("total_cost_usd").HasPrecision(20, 10);
            e.Property(x => x.ApiCallsMade).HasColumnName("api_calls_made");
            e.Property(x => x.PerIteration).HasColumnName("per_iteration").HasColumnType("jsonb");
            e.Property(x => x.ItemOutcomes).HasColumnName("item_outcomes").HasColumnType("jsonb");
            e.Property(x => x.ScoredAt).HasColumnName("scored_at");
            e.HasIndex(x => new { x.AgentId, x.AgentVersion, x.BenchmarkId, x.ScoredAt }).HasDatabaseName("ix_scores_latest");
            e.HasIndex(x => new { x.SuiteId, x.AgentId }).HasDatabaseName("ix_scores_suite_agent");
        });
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context without starting the host.</summary>
public sealed class LeaderboardDbContextFactory : IDesignTimeDbContextFactory<LeaderboardDbContext>
{
    public LeaderboardDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LeaderboardDbContext>()
            .UseNpgsql("Host=127.0.0.1;Port=5432;Database=benchmesh_leaderboard;Username=postgres;Password=postgres")
            .Options);
}
