using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BenchMesh.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TContext"/> on the service's PostgreSQL database and applies its
    /// migrations when the host starts (before the bus and the HTTP server, which are registered later).
    /// Interceptors registered in DI as <see cref="IInterceptor"/> (the outbox signal) are added to it.
    /// <para>
    /// EF retries a failed statement or SaveChanges a few times within seconds (a dropped pooled connection after a
    /// PostgreSQL restart); longer outages are the bus's to wait out (BenchMesh.Messaging's transient retry), so the two
    /// layers do not multiply into minutes per attempt. With a retrying strategy a user transaction must run inside
    /// <see cref="InTransactionAsync{T}"/>.
    /// </para>
    /// </summary>
    public static IHostApplicationBuilder AddBenchMeshDbContext<TContext>(
        this IHostApplicationBuilder builder, string connectionName, string defaultDatabase)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetPostgresConnectionString(connectionName, defaultDatabase);
        builder.Services.AddDbContext<TContext>((sp, options) => options
            .UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure(3, TimeSpan.FromSeconds(5), null))
            .AddInterceptors(sp.GetServices<IInterceptor>()));
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck<TContext>>(typeof(TContext).Name, tags: ["ready"]);
        builder.Services.AddHostedService<MigrationHostedService<TContext>>();
        return builder;
    }

    /// <summary>
    /// Runs <paramref name="unit"/> in a transaction under the context's execution strategy, which runs it again (in a new
    /// transaction, with the change tracker cleared) when a transient failure interrupts it. The unit must therefore
    /// rebuild its state from the database on each attempt and be idempotent: a commit whose acknowledgement was lost may
    /// have succeeded. It commits when the unit returns.
    /// </summary>
    public static Task<T> InTransactionAsync<T>(this DbContext db, Func<CancellationToken, Task<T>> unit, CancellationToken ct) =>
        db.InTransactionAsync(IsolationLevel.ReadCommitted, unit, ct);

    /// <inheritdoc cref="InTransactionAsync{T}(DbContext, Func{CancellationToken, Task{T}}, CancellationToken)"/>
    public static Task<T> InTransactionAsync<T>(
        this DbContext db, IsolationLevel isolation, Func<CancellationToken, Task<T>> unit, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(isolation, token);
            var result = await unit(token);
            await transaction.CommitAsync(token);
            return result;
        }, ct);

    /// <summary>True when the exception is PostgreSQL's unique_violation (23505).</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}

/// <summary>
/// Applies pending migrations at start. Several replicas may start at once (the runner is scaled out):
/// creating the database or taking the migrations lock can then fail once and is retried.
/// </summary>
internal sealed class MigrationHostedService<TContext>(IServiceProvider services, ILogger<MigrationHostedService<TContext>> logger)
    : IHostedService where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();

                // Create the database first, so that a fresh one is not announced by a connection error from
                // MigrateAsync. Another replica may create it at the same moment: that fails once and is retried.
                var creator = db.GetService<IRelationalDatabaseCreator>();
                if (!await creator.ExistsAsync(cancellationToken))
                {
                    await creator.CreateAsync(cancellationToken);
                }

                // Likewise the history table: EF would otherwise log its first, failing look-up as an error.
                await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
                logger.LogInformation("Database of {Context} is up to date", typeof(TContext).Name);
                return;
            }
            catch (Exception e) when (attempt < 10 && e is NpgsqlException or DbUpdateException or InvalidOperationException)
            {
                logger.LogWarning(e, "Migrating {Context} failed (attempt {Attempt}); retrying", typeof(TContext).Name, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(300 * attempt), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Healthy when the service's database accepts connections.</summary>
internal sealed class DatabaseHealthCheck<TContext>(TContext db) : IHealthCheck where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Cannot connect to the {typeof(TContext).Name} database.");
}
