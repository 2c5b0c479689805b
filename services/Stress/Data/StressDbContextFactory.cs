using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BenchMesh.Stress.Data;

/// <summary>Lets <c>dotnet ef</c> build the context without starting the host.</summary>
public sealed class StressDbContextFactory : IDesignTimeDbContextFactory<StressDbContext>
{
    public StressDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__stressdb")
            ?? "Host=127.0.0.1;Port=5432;Database=stress;Username=postgres;Password=postgres";
        return new StressDbContext(new DbContextOptionsBuilder<StressDbContext>().UseNpgsql(connectionString).Options);
    }
}
