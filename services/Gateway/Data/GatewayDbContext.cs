using BenchMesh.Persistence;
using BenchMesh.ServiceDefaults.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Gateway.Data;

/// <summary>
/// The gateway's tables (schema <c>gateway</c>): workspaces and their API keys.
/// </summary>
/// <remarks>
/// Add a migration from the repository root (build first):
/// <c>dotnet tool run dotnet-ef migrations add Name --project services/Gateway/BenchMesh.Gateway.csproj --output-dir Data/Migrations --no-build</c>
/// </remarks>
public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options)
{
    public const string Schema = "gateway";

    /// <summary>The database's name on a server given as <c>ConnectionStrings:postgres</c> only.</summary>
    public const string DefaultDatabase = "benchmesh_gateway";

    /// <summary>Workspace ids are the services' <c>workspace_id</c> values, which they store in 200 characters.</summary>
    public const int IdLength = 64;

    public const int NameLength = 200;

    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);

        modelBuilder.Entity<Workspace>(workspace =>
        {
            workspace.ToTable("workspaces");
            workspace.HasKey(w => w.Id);
            workspace.Property(w => w.Id).HasMaxLength(IdLength);
            workspace.Property(w => w.Name).HasMaxLength(NameLength);
        });

        modelBuilder.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(Keys.ApiKeyToken.IdLength);
            key.Property(k => k.WorkspaceId).HasMaxLength(IdLength);
            key.Property(k => k.Name).HasMaxLength(NameLength);
            // Stored by name (member, admin, operator), as the X-BenchMesh-Role header spells it.
            key.Property(k => k.Role).HasMaxLength(16).HasConversion(
                role => role.ToString().ToLowerInvariant(),
                text => Enum.Parse<CallerRole>(text, true));
            key.Property(k => k.SecretHash).HasMaxLength(32);
            key.Property(k => k.Prefix).HasMaxLength(32);
            key.Ignore(k => k.IsActive);
            key.HasOne<Workspace>().WithMany().HasForeignKey(k => k.WorkspaceId).OnDelete(DeleteBehavior.Restrict);
            key.HasIndex(k => new { k.WorkspaceId, k.CreatedAt });
        });

        modelBuilder.UseSnakeCaseColumnNames();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context without starting the host.</summary>
public sealed class GatewayDbContextFactory : IDesignTimeDbContextFactory<GatewayDbContext>
{
    public GatewayDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__gatewaydb")
            ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=benchmesh_gateway";
        return new GatewayDbContext(new DbContextOptionsBuilder<GatewayDbContext>().UseNpgsql(connectionString).Options);
    }
}
