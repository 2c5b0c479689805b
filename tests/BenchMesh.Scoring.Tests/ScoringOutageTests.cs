using System.Data.Common;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Runs;
using BenchMesh.Scoring.Consumers;
using BenchMesh.Scoring.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BenchMesh.Scoring.Tests;

/// <summary>
/// Scoring through a PostgreSQL outage, on a server of the test's own that it stops and starts (the shared one is never
/// touched), and scoring stored results again when the runner replays them.
/// </summary>
public sealed class ScoringOutageTests(Infrastructure infra) : IClassFixture<Infrastructure>
{
    private const string ExecutionScoredExchange = "BenchMesh.Contracts.Scoring:ExecutionScored";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly string Queue = new KebabCaseEndpointNameFormatter(ResourceNames.Scoring, false).Consumer<BenchmarkExecutedConsumer>();

    [Fact]
    public async Task A_message_consumed_while_PostgreSQL_is_down_is_scored_exactly_once_when_it_is_back_and_nothing_lands_in_the_error_queue()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var vhost = await infra.CreateVirtualHostAsync("scoringoutage");
        await using var probe = await ExchangeProbe.BindAsync(vhost, ExecutionScoredExchange);
        var failures = new ConnectionFailures();
        await using var factory = Scoring(postgres.ConnectionString("bm_scoring_outage"), vhost, failures);
        _ = factory.Server; // migrations, relay and bus are up before the outage

        await postgres.StopAsync();
        var executed = Execution();
        await factory.Services.GetRequiredService<IBus>().Publish(executed);

        // The consumer has taken the message (none left ready) and keeps failing against the stopped server.
        await Eventually.TrueAsync(async () => await QueueDepth.OfAsync(vhost, Queue) == 0, Timeout, "the consumer to take the message");
        var before = failures.Count;
        await Eventually.TrueAsync(() => Task.FromResult(failures.Count >= before + 3), Timeout, "attempts against the stopped server");
        await postgres.StartServerAsync();

        var scored = await probe.NextAsync(Timeout, "ExecutionScored after the outage");
        Assert.Equal(executed.ExecutionId, scored.Message.GetProperty("executionId").GetGuid());
        await QuiescentAsync(factory, vhost);
        Assert.Null(await probe.TryGetAsync());
        Assert.Equal(1, await CountAsync(factory, executed.ExecutionId));
        Assert.Equal(0u, await QueueDepth.OfAsync(vhost, Queue + "_error"));
    }

    [Fact]
    public async Task Stored_results_replayed_by_the_runner_announce_the_stored_score_again_without_scoring_twice()
    {
        var vhost = await infra.CreateVirtualHostAsync("scoringreplay");
        await using var probe = await ExchangeProbe.BindAsync(vhost, ExecutionScoredExchange);
        await using var factory = Scoring(infra.CreateDatabase("scoringreplay"), vhost, new ConnectionFailures());
        var bus = factory.Services.GetRequiredService<IBus>();
        var executed = Execution();

        await bus.Publish(executed);
        var first = await probe.NextAsync(Timeout, "the first ExecutionScored");
        await bus.Publish(executed with { Replayed = true });
        var second = await probe.NextAsync(Timeout, "the ExecutionScored announced again");

        Assert.Equal(executed.ExecutionId, second.Message.GetProperty("executionId").GetGuid());
        Assert.Equal(first.Message.GetProperty("scoredAt").GetString(), second.Message.GetProperty("scoredAt").GetString());
        await QuiescentAsync(factory, vhost);
        Assert.Equal(1, await CountAsync(factory, executed.ExecutionId));
    }

    private static WebApplicationFactory<ScoringDbContext> Scoring(string database, string vhost, ConnectionFailures failures) =>
        new WebApplicationFactory<ScoringDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:scoringdb", database);
            b.UseSetting("ConnectionStrings:rabbitmq", vhost);
            b.UseSetting("Messaging:TransientRetry:FirstIntervalSeconds", "0.5");
            b.UseSetting("Messaging:TransientRetry:MaxIntervalSeconds", "2");
            b.ConfigureTestServices(services =>
            {
                services.RemoveAll<ISuiteCatalog>().AddSingleton<ISuiteCatalog>(new RegisteredAgentsCatalog());
                services.AddSingleton<IInterceptor>(failures);
            });
        });

    /// <summary>Scoring's queue empty and its outbox sent: nothing more is on its way.</summary>
    private static Task QuiescentAsync(WebApplicationFactory<ScoringDbContext> factory, string vhost) => Eventually.TrueAsync(async () =>
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        return await QueueDepth.OfAsync(vhost, Queue) == 0 && !await db.OutboxMessages.AnyAsync(m => m.SentAt == null);
    }, Timeout, "Scoring to be idle");

    private static async Task<int> CountAsync(WebApplicationFactory<ScoringDbContext> factory, Guid executionId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ScoringDbContext>().BenchmarkExecutions.CountAsync(e => e.ExecutionId == executionId);
    }

    private static BenchmarkExecuted Execution() => TestExecutions.Arithmetic(
        DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromSeconds(1),
        new RawSample { Iteration = 0, ItemId = "q1", Output = "5", DurationMs = 100, InputTokens = 3, OutputTokens = 1, TokensReportedByAgent = true, CostUsd = 0m });

    /// <summary>Counts the connections the service failed to open: attempts made while the server was down.</summary>
    private sealed class ConnectionFailures : DbConnectionInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
