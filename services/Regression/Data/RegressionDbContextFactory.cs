using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Regression.Data;

/// <summary>Lets <c>dotnet ef</c> build the context without starting the host (and its bus).</summary>
public sealed class RegressionDbContextFactory : IDesignTimeDbContextFactory<RegressionDbContext>
{
    public RegressionDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__regressiondb")
            ?? "Host=127.0.0.1;Port=5432;Database=regression;Username=postgres;Password=postgres";
        return new RegressionDbContext(new DbContextOptionsBuilder<RegressionDbContext>().UseNpgsql(connectionString).Options);
    }
}
