using BenchMesh.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Suites.Data;

/// <summary>
/// The Suites service's tables (schema <c>suites</c>): the agent registry and the suite catalog.
/// </summary>
/// <remarks>
/// Add a migration from the repository root (build first):
/// <c>dotnet tool run dotnet-ef migrations add Name --project services/Suites/BenchMesh.Suites.csproj --output-dir Data/Migrations --no-build</c>
/// </remarks>
public sealed class SuitesDbContext(DbContextOptions<SuitesDbContext> options) : DbContext(options)
{
    public const string Schema = "suites";

    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<AgentVersion> AgentVersions => Set<AgentVersion>();
    public DbSet<Suite> Suites => Set<Suite>();
    public DbSet<Benchmark> Benchmarks => Set<Benchmark>();
    public DbSet<DatasetItem> DatasetItems => Set<DatasetItem>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);

        modelBuilder.Entity<Agent>(agent =>
        {
            agent.ToTable("agents");
            agent.HasKey(a => a.AgentId);
            agent.Property(a => a.Name).HasMaxLength(Limits.NameLength);
            agent.Property(a => a.WorkspaceId).HasMaxLength(Limits.NameLength);
            agent.Property(a => a.Protocol).HasMaxLength(32);
            agent.Property(a => a.Endpoint).HasMaxLength(Limits.EndpointLength);
            agent.Property(a => a.Description).HasMaxLength(Limits.DescriptionLength);
            agent.Property(a => a.InputPerMillionUsd).HasColumnType("numeric");
            agent.Property(a => a.OutputPerMillionUsd).HasColumnType("numeric");
            agent.Property(a => a.PerCallUsd).HasColumnType("numeric");
            agent.Ignore(a => a.Pricing);
            // Names are unique per workspace: the 409 on a duplicate rests on this index.
            agent.HasIndex(a => new { a.WorkspaceId, a.Name }).IsUnique();
            agent.HasMany(a => a.Versions).WithOne().HasForeignKey(v => v.AgentId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<AgentVersion>(version =>
        {
            version.ToTable("agent_versions");
            // The key is also the uniqueness of a version within its agent (the 409 on a duplicate).
            version.HasKey(v => new { v.AgentId, v.Version });
            version.Property(v => v.Version).HasMaxLength(Limits.VersionLength);
            version.Property(v => v.ModelConfiguration).HasColumnType("jsonb");
            version.Property(v => v.Endpoint).HasMaxLength(Limits.EndpointLength);
            version.Property(v => v.InputPerMillionUsd).HasColumnType("numeric");
            version.Property(v => v.OutputPerMillionUsd).HasColumnType("numeric");
            version.Property(v => v.PerCallUsd).HasColumnType("numeric");
        });

        modelBuilder.Entity<Suite>(suite =>
        {
            suite.ToTable("suites");
            suite.HasKey(s => s.SuiteId);
            suite.Property(s => s.Name).HasMaxLength(Limits.NameLength);
            suite.Property(s => s.Description).HasMaxLength(Limits.DescriptionLength);
            suite.Property(s => s.Category).HasMaxLength(Limits.CategoryLength);
            suite.Property(s => s.Version).HasMaxLength(Limits.VersionLength);
            suite.Property(s => s.WorkspaceId).HasMaxLength(Limits.NameLength);
            suite.Property(s => s.RegressionThresholds).HasColumnType("jsonb");
            suite.Property(s => s.BaselineScores).HasColumnType("jsonb");
            // json, not jsonb: metadata is the client's, returned as it was written (key order, duplicates, number spelling).
            suite.Property(s => s.Metadata).HasColumnType("json");
            suite.HasIndex(s => s.WorkspaceId);
            suite.HasMany(s => s.Benchmarks).WithOne().HasForeignKey(b => b.SuiteId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Benchmark>(benchmark =>
        {
            benchmark.ToTable("benchmarks");
            benchmark.HasKey(b => b.BenchmarkId);
            benchmark.Property(b => b.Name).HasMaxLength(Limits.NameLength);
            benchmark.Property(b => b.Description).HasMaxLength(Limits.DescriptionLength);
            benchmark.Property(b => b.Category).HasMaxLength(Limits.CategoryLength);
            benchmark.Property(b => b.ScoringRubric).HasColumnType("jsonb");
            benchmark.Property(b => b.TestType).HasMaxLength(32);
            benchmark.Property(b => b.CostLimitUsd).HasColumnType("numeric");
            benchmark.Property(b => b.DatasetName).HasMaxLength(Limits.NameLength);
            benchmark.Property(b => b.DatasetComplexity).HasMaxLength(16);
            benchmark.Property(b => b.DatasetSource).HasMaxLength(Limits.DataSourceLength);
            benchmark.Property(b => b.DatasetContentHash).HasMaxLength(64).IsFixedLength();
            benchmark.Property(b => b.BaselineScores).HasColumnType("jsonb");
            benchmark.Property(b => b.Metadata).HasColumnType("json");
            benchmark.HasIndex(b => new { b.SuiteId, b.Ordinal }).IsUnique();
            benchmark.HasMany(b => b.Items).WithOne().HasForeignKey(i => i.BenchmarkId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DatasetItem>(item =>
        {
            item.ToTable("dataset_items");
            item.HasKey(i => new { i.BenchmarkId, i.Ordinal });
            item.Property(i => i.ItemId).HasMaxLength(Limits.NameLength);
            item.Property(i => i.ScoringRubric).HasColumnType("jsonb");
            item.Property(i => i.MessagesJson).HasColumnType("jsonb");
            item.HasIndex(i => new { i.BenchmarkId, i.ItemId }).IsUnique();
        });

        modelBuilder.UseSnakeCaseColumnNames();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context without starting the host.</summary>
public sealed class SuitesDbContextFactory : IDesignTimeDbContextFactory<SuitesDbContext>
{
    public SuitesDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__suitesdb")
            ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=benchmesh_suites";
        return new SuitesDbContext(new DbContextOptionsBuilder<SuitesDbContext>().UseNpgsql(connectionString).Options);
    }
}
