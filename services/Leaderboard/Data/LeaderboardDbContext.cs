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
    public const string RankIntervalsTable = "rank_intervals";
    public const string ViewGenerationsTable = "view_generations";

    /// <summary>Suites' limit on a workspace id (its <c>Limits.NameLength</c>).</summary>
    public const int WorkspaceIdLength = 200;

    public DbSet<AgentBenchmarkScore> Scores => Set<AgentBenchmarkScore>();

    /// <summary>The §5.1 materialized view (created and refreshed in SQL: see the AnalyticsViews migration and ViewRefresher).</summary>
    public DbSet<LeaderboardRow> Leaderboard => Set<LeaderboardRow>();

    /// <summary>The §3.1 materialized view.</summary>
    public DbSet<ComparisonMatrixRow> ComparisonMatrix => Set<ComparisonMatrixRow>();

    /// <summary>The boards' rank intervals, computed once per view refresh (Ranking/StoredRankIntervals).</summary>
    public DbSet<StoredRankInterval> RankIntervals => Set<StoredRankInterval>();

    /// <summary>The views' refresh number (one row).</summary>
    public DbSet<ViewGeneration> ViewGenerations => Set<ViewGeneration>();

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
            // The §5.1 view's 30-day window (a refresh reads the window, not the table).
            e.HasIndex(x => x.ScoredAt).HasDatabaseName("ix_scores_scored_at");
            // The §5.1 view's latest name of an agent: one backward probe per agent instead of sorting every execution.
            e.HasIndex(x => new { x.AgentId, x.ScoredAt, x.ExecutionId }).IncludeProperties(x => x.AgentName)
                .HasDatabaseName("ix_scores_agent_latest_name");
        });

        modelBuilder.Entity<StoredRankInterval>(e =>
        {
            e.ToTable(RankIntervalsTable);
            // A board's rows of one refresh are read (and deleted) by this key's prefix.
            e.HasKey(x => new { x.WorkspaceId, x.Statuses, x.ByVersion, x.BenchmarkCategory, x.Generation, x.AgentId, x.AgentVersion });
            e.Property(x => x.WorkspaceId).HasMaxLength(WorkspaceIdLength);
            e.Property(x => x.Statuses).HasMaxLength(20);
            e.Property(x => x.BenchmarkCategory).HasMaxLength(100);
            e.Property(x => x.AgentVersion).HasMaxLength(100);
            e.HasIndex(x => x.Generation).HasDatabaseName("ix_rank_intervals_generation");
        });

        modelBuilder.Entity<ViewGeneration>(e =>
        {
            e.ToTable(ViewGenerationsTable);
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasData(new ViewGeneration { Id = ViewGeneration.SingleId, Generation = 0 });
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
