using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Regression.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RabbitMQ.Client;

namespace BenchMesh.Regression.Tests;

/// <summary>
/// The Regression service on its own database and RabbitMQ virtual host, shared by the tests of a class
/// (each test uses its own agent ids, so they cannot see each other's executions).
/// </summary>
public sealed class RegressionServiceFixture : IAsyncLifetime
{
    private readonly Infrastructure _infrastructure = new();

    public WebApplicationFactory<RegressionDbContext> App { get; private set; } = null!;
    public RegisteredAgentsCatalog Catalog { get; } = new();
    public string RabbitMqUri { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        var database = _infrastructure.CreateDatabase("regression");
        RabbitMqUri = await _infrastructure.CreateVirtualHostAsync("regression");
        App = new WebApplicationFactory<RegressionDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{ResourceNames.RegressionDb}", database);
            b.UseSetting($"ConnectionStrings:{ResourceNames.RabbitMq}", RabbitMqUri);
            // One message at a time, so that "v3 is stored" implies every message published before it was handled.
            b.UseSetting("Messaging:PrefetchCount", "1");
            b.ConfigureTestServices(services => services.RemoveAll<ISuiteCatalog>().AddSingleton<ISuiteCatalog>(Catalog));
        });
        _ = App.Server; // start: migrations, bus, outbox relay
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await _infrastructure.DisposeAsync();
    }

    public async Task WithDbAsync(Func<RegressionDbContext, Task> action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<RegressionDbContext>());
    }

    public async Task<T> WithDbAsync<T>(Func<RegressionDbContext, Task<T>> query)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<RegressionDbContext>());
    }
}

/// <summary>Builds ExecutionScored events the way Scoring publishes them.</summary>
public static class Executions
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Measured passes per execution (unless a test asks for fewer), and items per benchmark.</summary>
    public const int Passes = 10;
    public const int Items = 50;

    /// <summary>
    /// A scored execution with <paramref name="passes"/> measured passes (<see cref="Passes"/> by default): latency, cost
    /// and tokens with run-to-run noise (± <paramref name="noise"/>, 2 % by default) around the given values (seeded by
    /// version, benchmark and time, so a test sees the same data every run), accuracy and error rate exact; and
    /// <paramref name="items"/> items (<see cref="Items"/> by default), the first accuracy × items right in every pass.
    /// </summary>
    public static ExecutionScored Scored(
        Guid agentId, string version, Guid benchmarkId, string benchmarkName, DateTimeOffset scoredAt,
        double accuracy = 0.9, double latencyMs = 30.1, double costPerTask = 0.001, double tokensPerTask = 120, double errorRate = 0,
        int passes = Passes, double noise = 0.02, Guid? suiteId = null, int items = Items)
    {
        var random = new Random(StableSeed($"{version}/{benchmarkId}/{scoredAt.UtcTicks}"));
        double Noisy(double value) => value * (1 + noise * (random.NextDouble() * 2 - 1));
        var measured = Enumerable.Range(1, passes)
            .Select(i => new IterationMetrics(i, accuracy, Noisy(latencyMs), Noisy(costPerTask), Noisy(tokensPerTask), errorRate))
            .ToList();
        var right = (int)Math.Round(accuracy * items);
        return new ExecutionScored
        {
            ExecutionId = Guid.NewGuid(),
            RunId = Guid.NewGuid(),
            AgentId = agentId,
            AgentName = "support-bot",
            AgentVersion = version,
            SuiteId = suiteId ?? Guid.Parse("5a5a5a5a-0000-0000-0000-000000000001"),
            SuiteCategory = "reasoning",
            BenchmarkId = benchmarkId,
            BenchmarkName = benchmarkName,
            BenchmarkCategory = "math",
            Status = "completed",
            Scores = new Scores(accuracy, 0.5, 0.5, 0.5, 1 - errorRate, 0.6),
            Metrics = new ExecutionMetrics
            {
                Samples = items * passes,
                FailedSamples = (int)Math.Round(errorRate * items * passes),
                Accuracy = accuracy,
                ErrorRate = errorRate,
                MeanLatencyMs = latencyMs,
                MedianLatencyMs = latencyMs,
                P95LatencyMs = latencyMs * 1.5,
                MeanTokensPerTask = tokensPerTask,
                MeanCostPerTaskUsd = costPerTask,
                TokensUsed = (long)(tokensPerTask * items * passes),
                TotalCostUsd = (decimal)(costPerTask * items * passes),
                ApiCallsMade = items * passes,
                PerIteration = measured,
            },
            ItemOutcomes = Enumerable.Range(0, items).ToDictionary(i => $"q{i}", i => new[] { i < right ? passes : 0, passes }),
            ScoredAt = scoredAt,
        };
    }

    private static int StableSeed(string text) => text.Aggregate(17, (hash, c) => unchecked(hash * 31 + c));

    public static VersionResult Row(ExecutionScored e) => VersionResult.From(e, receivedAt: e.ScoredAt);
}
