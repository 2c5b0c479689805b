using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Leaderboard.Data;

public sealed class LeaderboardDbContext(DbContextOptions<LeaderboardDbContext> options) : DbContext(options)
{
    public const string Schema = "leaderboard";
    public const string ScoresTable = "agent_benchmark_scores";
    public const string LeaderboardView = "benchmark_leaderboard";
    public const string ComparisonMatrixView = "agent_comparison_matrix";

    /// <summary>Suites' limit on a workspace id (its <c>Limits.NameLength</c>).</summary>
    public const int WorkspaceIdLength = 200;

    public DbSet<AgentBenchmarkScore> Scores => Set<AgentBenchmarkScore>();

    /// <summary>The §5.1 materialized view (created and refreshed in SQL: see the AnalyticsViews migration and ViewRefresher).</summary>
    public DbSet<LeaderboardRow> Leaderboard => Set<LeaderboardRow>();

    /// <summary>The §3.1 materialized view.</summary>
    public DbSet<ComparisonMatrixRow> ComparisonMatrix => Set<ComparisonMatrixRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<AgentBenchmarkScore>(e =>
        {
            e.ToTable(ScoresTable);
            e.HasKey(x => x.ExecutionId);
            e.Property(x => x.ExecutionId).ValueGeneratedNever();
            e.Property(x => x.AgentName).HasMaxLength(200);
            e.Property(x => x.AgentVersion).HasMaxLength(100);
            e.Property(x => x.WorkspaceId).HasMaxLength(WorkspaceIdLength).HasDefaultValue(WorkspaceOwner.Default);
            e.Property(x => x.SuiteCategory).HasMaxLength(100);
            e.Property(x => x.BenchmarkName).HasMaxLength(200);
            e.Property(x => x.BenchmarkCategory).HasMaxLength(100);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.ExecutionStatus).HasMaxLength(20);
            e.Property(x => x.TotalCostUsd).HasPrecision(20, 10);
            e.Property(x => x.PerIteration).HasColumnType("jsonb");
            e.Property(x => x.ItemOutcomes).HasColumnType("jsonb");
            e.HasIndex(x => new { x.AgentId, x.AgentVersion, x.BenchmarkId, x.ScoredAt }).HasDatabaseName("ix_scores_latest");
            e.HasIndex(x => new { x.SuiteId, x.AgentId }).HasDatabaseName("ix_scores_suite_agent");
            // The agents a workspace sees (WorkspaceScope.VisibleAgents).
            e.HasIndex(x => new { x.WorkspaceId, x.AgentId }).HasDatabaseName("ix_scores_workspace_agent");
        });

        // Views are not created by EF (ToView): their SQL is in the migration.
        modelBuilder.Entity<LeaderboardRow>(e => e.HasNoKey().ToView(LeaderboardView));
        modelBuilder.Entity<ComparisonMatrixRow>(e => e.HasNoKey().ToView(ComparisonMatrixView));

        modelBuilder.UseSnakeCaseColumnNames();
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
