using BenchMesh.Messaging.Outbox;
using BenchMesh.Persistence;
using BenchMesh.Scoring.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Scoring.Tests;

/// <summary>
/// When the outbox relay is woken for rows a SaveChanges wrote: at once for a save that commits itself, at the commit for a
/// save inside a transaction (woken before, it would find nothing and the rows would wait for its next poll), never for
/// rows that were rolled back. Scoring's context on real PostgreSQL; the host is built, not started, so no relay runs to
/// consume the wake before the test reads it.
/// </summary>
public sealed class OutboxSignalTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private IHost _host = null!;

    private sealed record Probe(string Text);

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:scoringdb"] = infra.CreateDatabase("outbox-signal");
        builder.AddBenchMeshDbContext<ScoringDbContext>("scoringdb", "benchmesh_scoring");
        builder.Services.AddOutboxRelay<ScoringDbContext>();
        _host = builder.Build();

        await using var scope = _host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ScoringDbContext>().Database.MigrateAsync();
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        return Task.CompletedTask;
    }

    private OutboxSignal Signal => _host.Services.GetRequiredService<OutboxSignal>();

    private Task<bool> WokenAsync() => Signal.WaitAsync(TimeSpan.Zero, CancellationToken.None);

    [Fact]
    public async Task A_save_that_commits_itself_wakes_the_relay_at_once()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();

        db.AddOutboxMessage(new Probe("alone"));
        await db.SaveChangesAsync();

        Assert.True(await WokenAsync());
    }

    [Fact]
    public async Task A_save_inside_a_transaction_wakes_the_relay_at_the_commit_not_before()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();

        bool wokenBeforeCommit = true;
        await db.InTransactionAsync(async token =>
        {
            db.AddOutboxMessage(new Probe("in a transaction"));
            await db.SaveChangesAsync(token);
            wokenBeforeCommit = await WokenAsync();
            return true;
        }, CancellationToken.None);

        Assert.False(wokenBeforeCommit);
        Assert.True(await WokenAsync());
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.SentAt == null));
    }

    [Fact]
    public async Task Rows_rolled_back_do_not_wake_the_relay()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.InTransactionAsync<bool>(async token =>
        {
            db.AddOutboxMessage(new Probe("rolled back"));
            await db.SaveChangesAsync(token);
            throw new InvalidOperationException("the unit fails after its save");
        }, CancellationToken.None));

        Assert.False(await WokenAsync());
        Assert.Equal(0, await db.OutboxMessages.CountAsync());
    }

    [Fact]
    public async Task A_transaction_without_outbox_rows_does_not_wake_the_relay()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();

        await db.InTransactionAsync(async token =>
        {
            db.AddOutboxMessage(new Probe("a row for the relay"));
            await db.SaveChangesAsync(token);
            return true;
        }, CancellationToken.None);
        Assert.True(await WokenAsync());

        // A second transaction on the same context that writes no outbox row: its commit must not wake the relay again.
        await db.InTransactionAsync(async token =>
        {
            var row = await db.OutboxMessages.SingleAsync(token);
            row.SentAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(token);
            return true;
        }, CancellationToken.None);

        Assert.False(await WokenAsync());
    }
}
