using BenchMesh.Persistence;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Credentials;

/// <summary>
/// The Data Protection key ring (schema <c>keys</c>): the keys that encrypt agent credentials, as XML, one row per key.
/// Everything of this context lives in its schema, its migrations history included, so that it can share a database
/// with another context (the tests keep it in the service's own database).
/// </summary>
/// <remarks>
/// Add a migration from the repository root (build first):
/// <c>dotnet tool run dotnet-ef migrations add Name --project services/Credentials/BenchMesh.Credentials.csproj --output-dir Migrations --no-build</c>
/// </remarks>
public sealed class KeyRingDbContext(DbContextOptions<KeyRingDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public const string Schema = "keys";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        // Adds to the provider options the host configured (connection, retries); only the history table moves.
        optionsBuilder.UseNpgsql(npgsql => npgsql.MigrationsHistoryTable("__EFMigrationsHistory", Schema));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        modelBuilder.UseSnakeCaseColumnNames();
    }
}

/// <summary>Lets <c>dotnet ef</c> build the context without a host.</summary>
public sealed class KeyRingDbContextFactory : IDesignTimeDbContextFactory<KeyRingDbContext>
{
    public KeyRingDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__keysdb")
            ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=benchmesh_keys";
        return new KeyRingDbContext(new DbContextOptionsBuilder<KeyRingDbContext>().UseNpgsql(connectionString).Options);
    }
}
