using System.Diagnostics;
using System.Text.Json;
using BenchMesh.Messaging.Resilience;
using BenchMesh.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BenchMesh.Messaging.Outbox;

internal static class OutboxRelaySerializer
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Traces the relay's publishes as children of the request or message that wrote them.</summary>
    public static readonly ActivitySource Activities = new("BenchMesh.Outbox");
}

/// <summary>Wakes the relay as soon as a SaveChanges wrote outbox rows, instead of waiting for its next poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { /* already signalled */ }
        }
    }

    /// <summary>True when woken, false when <paramref name="timeout"/> passed first; a wake is consumed by one wait.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>
/// Wakes the relay once outbox rows a SaveChanges wrote are visible: at once for a save that committed itself, at the
/// commit of the explicit transaction a save ran in (waking it before the commit would find nothing, and the rows would
/// wait for the relay's next poll). One instance per context scope, so the state below is one context's.
/// </summary>
internal sealed class OutboxSaveChangesInterceptor(OutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private bool _saving;
    private bool _awaitingCommit;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        _saving = AddsOutboxRows(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        _saving = AddsOutboxRows(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return base.SavedChanges(eventData, result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => _saving = false;

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        _saving = false;
        return Task.CompletedTask;
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Committed();

    public Task TransactionCommittedAsync(
        System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed();
        return Task.CompletedTask;
    }

    // A transaction that rolled back or failed to commit took its rows with it; a retry saves them again.
    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => _awaitingCommit = false;

    public Task TransactionRolledBackAsync(
        System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        _awaitingCommit = false;
        return Task.CompletedTask;
    }

    public void TransactionFailed(System.Data.Common.DbTransaction transaction, TransactionErrorEventData eventData) => _awaitingCommit = false;

    public Task TransactionFailedAsync(
        System.Data.Common.DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        _awaitingCommit = false;
        return Task.CompletedTask;
    }

    private static bool AddsOutboxRows(DbContext? context) =>
        context?.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added) ?? false;

    private void Saved(DbContext? context)
    {
        if (!_saving)
        {
            return;
        }

        _saving = false;
        if (context?.Database.CurrentTransaction is null)
        {
            signal.Notify();
        }
        else
        {
            _awaitingCommit = true;
        }
    }

    private void Committed()
    {
        if (_awaitingCommit)
        {
            _awaitingCommit = false;
            signal.Notify();
        }
    }
}

public static class OutboxServiceExtensions
{
    /// <summary>Registers the relay that publishes <typeparamref name="TContext"/>'s outbox rows to the bus.</summary>
    public static IServiceCollection AddOutboxRelay<TContext>(this IServiceCollection services)
        where TContext : DbContext, IOutboxDbContext
    {
        services.AddSingleton<OutboxSignal>();
        services.AddScoped<IInterceptor, OutboxSaveChangesInterceptor>();
        services.AddHostedService<OutboxRelay<TContext>>();
        return services;
    }
}

/// <summary>
/// Publishes outbox rows in order and marks them sent. Replicas share the table safely: rows are claimed
/// with <c>FOR UPDATE SKIP LOCKED</c>. A publish that fails leaves the row for the next pass, so delivery is
/// at least once; consumers de-duplicate.
/// </summary>
internal sealed class OutboxRelay<TContext>(IServiceProvider services, IBus bus, OutboxSignal signal, ILogger<OutboxRelay<TContext>> logger)
    : BackgroundService where TContext : DbContext, IOutboxDbContext
{
    private const int BatchSize = 100;

    /// <summary>
    /// A row that failed this many times (a type that no longer loads, a body the broker refuses) is set aside,
    /// so that it does not hold back every later message; it stays in the table with its last error.
    /// </summary>
    internal const int MaxAttempts = 10;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int published;
            try
            {
                published = await PublishBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Outbox relay pass failed; retrying");
                published = 0;
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (published < BatchSize)
            {
                try
                {
                    await signal.WaitAsync(PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The query that claims the next unsent rows; the table's name comes from the model, once.</summary>
    private string? _claimSql;

    private static string ClaimSql(TContext db)
    {
        var table = db.Model.FindEntityType(typeof(OutboxMessage))!.GetSchemaQualifiedTableName()!;
        var quoted = string.Join('.', table.Split('.').Select(p => $"\"{p}\""));
        return $"SELECT * FROM {quoted} WHERE sent_at IS NULL AND attempts < {MaxAttempts} ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED";
    }

    /// <summary>
    /// One pass: claim, publish, mark sent, in one transaction under the execution strategy (a dropped connection
    /// runs the pass again; rows it had published are then published twice, which consumers de-duplicate). A pass
    /// that fails for good (the database is down) is retried by <see cref="ExecuteAsync"/>.
    /// </summary>
    private async Task<int> PublishBatchAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        _claimSql ??= ClaimSql(db);
        return await db.InTransactionAsync(async token =>
        {
#pragma warning disable EF1002 // The table name comes from the model, not from input.
            var batch = await db.OutboxMessages.FromSqlRaw(_claimSql).ToListAsync(token);
#pragma warning restore EF1002
            foreach (var row in batch)
            {
                try
                {
                    var type = Type.GetType(row.MessageType, throwOnError: true)!;
                    var message = JsonSerializer.Deserialize(row.Body, type, OutboxRelaySerializer.Options)!;
                    var messageId = row.MessageId;
                    using var activity = row.TraceParent is not null && ActivityContext.TryParse(row.TraceParent, null, out var parent)
                        ? OutboxRelaySerializer.Activities.StartActivity("outbox publish", ActivityKind.Internal, parent)
                        : null;
                    activity?.SetTag("messaging.message.id", messageId);
                    activity?.SetTag("benchmesh.message_type", type.Name);
                    await bus.Publish(message, type, context => context.MessageId = messageId, token);
                    row.SentAt = DateTimeOffset.UtcNow;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A broker outage is not the row's fault: it does not count towards setting the row aside.
                    if (!TransientFailures.IsTransient(e))
                    {
                        row.Attempts++;
                    }

                    row.LastError = e.Message;
                    if (row.Attempts >= MaxAttempts)
                    {
                        logger.LogError(e, "Giving up on outbox message {MessageId} ({Type}) after {Attempts} attempts; it stays in the outbox table",
                            row.MessageId, row.MessageType, row.Attempts);
                        continue;
                    }

                    logger.LogWarning(e, "Publishing outbox message {MessageId} ({Type}) failed", row.MessageId, row.MessageType);
                    break; // keep order: retry this row on the next pass
                }
            }

            await db.SaveChangesAsync(token);
            return batch.Count;
        }, ct);
    }
}
