using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace BenchMesh.Leaderboard.Tests;

/// <summary>The Leaderboard host against real PostgreSQL, RabbitMQ and Redis; each test has its own database, vhost and key prefix.</summary>
public sealed class LeaderboardIntegrationTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Guid _suite = Guid.NewGuid();
    private WebApplicationFactory<LeaderboardDbContext> _factory = null!;
    private HttpClient _client = null!;
    private string _prefix = "";
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        _prefix = infra.CreateRedisPrefix("leaderboard");
        _factory = await StartAsync(infra.Redis);
        _client = _factory.CreateClient().WithCaller();
        _redis = await ConnectionMultiplexer.ConnectAsync(infra.Redis);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await foreach (var key in _redis.GetServers()[0].KeysAsync(pattern: _prefix + "*"))
        {
            await _redis.GetDatabase().KeyDeleteAsync(key);
        }

        await _redis.DisposeAsync();
    }

    private async Task<WebApplicationFactory<LeaderboardDbContext>> StartAsync(string redis)
    {
        var database = infra.CreateDatabase("leaderboard");
        var vhost = await infra.CreateVirtualHostAsync("leaderboard");
        return new WebApplicationFactory<LeaderboardDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:leaderboarddb", database);
            b.UseSetting("ConnectionStrings:rabbitmq", vhost);
            b.UseSetting("ConnectionStrings:redis", redis);
            b.UseSetting("Leaderboard:CacheKeyPrefix", _prefix);
            // No periodic refresh during a test: what the views show, the consumer's refresh requests put there.
            b.UseSetting("Leaderboard:Views:Period", "01:00:00");
            b.ConfigureTestServices(services => services.AddConsumedMessages());
        });
    }

    [Fact]
    public async Task Ranks_agents_caches_the_answer_and_a_new_score_invalidates_it()
    {
        var alpha = Guid.NewGuid();
        var beta = Guid.NewGuid();
        var benchmark = Guid.NewGuid();
        await PublishAndWaitAsync(
            Scored(alpha, "alpha", benchmark, overall: 0.7, speed: 0.3),
            Scored(beta, "beta", benchmark, overall: 0.6, speed: 0.9));

        var first = await GetStringAsync("/benchmarks/leaderboard");
        using (var doc = JsonDocument.Parse(first))
        {
            Assert.Equal("overall", doc.RootElement.GetProperty("category").GetString());
            Assert.Equal("all", doc.RootElement.GetProperty("metric").GetString());
            var entries = doc.RootElement.GetProperty("entries");
            Assert.Equal(2, entries.GetArrayLength());
            var alphaEntry = entries.EnumerateArray().Single(e => e.GetProperty("agent_id").GetGuid() == alpha);
            var betaEntry = entries.EnumerateArray().Single(e => e.GetProperty("agent_id").GetGuid() == beta);
            Assert.Equal(0.7, alphaEntry.GetProperty("scores_and_ranks").GetProperty("accuracy").GetProperty("score").GetDouble(), 9);
            Assert.Equal(1, alphaEntry.GetProperty("scores_and_ranks").GetProperty("accuracy").GetProperty("rank").GetInt32());
            Assert.Equal(2, alphaEntry.GetProperty("scores_and_ranks").GetProperty("speed").GetProperty("rank").GetInt32());
            Assert.Equal(1, betaEntry.GetProperty("scores_and_ranks").GetProperty("speed").GetProperty("rank").GetInt32());
            Assert.Equal(1, alphaEntry.GetProperty("best_ranking").GetInt32());
            Assert.Equal(1, alphaEntry.GetProperty("benchmarks_completed").GetInt32());
            Assert.Equal(JsonValueKind.Null, alphaEntry.GetProperty("agent_version").ValueKind);
        }

        // The answer is now in Redis under the configured prefix, and the cached answer is the same, byte for byte (it is
        // sent as stored, not parsed and written again), with the same JSON content type and now a Content-Length.
        Assert.NotEmpty(await CachedBoardKeysAsync());
        using (var hit = await _client.GetAsync("/benchmarks/leaderboard"))
        {
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            Assert.Equal(first, await hit.Content.ReadAsStringAsync());
            Assert.Equal("application/json", hit.Content.Headers.ContentType?.MediaType);
            Assert.Equal("utf-8", hit.Content.Headers.ContentType?.CharSet);
            Assert.Equal(Encoding.UTF8.GetByteCount(first), hit.Content.Headers.ContentLength);
        }

        // beta's second execution lifts its 30-day average above alpha's: the cache must not hide it (the cache is
        // invalidated when the refresh commits, just after the view shows the row).
        await PublishAndWaitAsync(Scored(beta, "beta", benchmark, overall: 1.0, speed: 0.9));
        await Eventually.TrueAsync(async () =>
        {
            using var doc = JsonDocument.Parse(await GetStringAsync("/benchmarks/leaderboard?metric=accuracy"));
            var top = doc.RootElement.GetProperty("entries")[0];
            return top.GetProperty("agent_id").GetGuid() == beta
                && Math.Abs(top.GetProperty("scores_and_ranks").GetProperty("accuracy").GetProperty("score").GetDouble() - 0.8) < 1e-9
                && top.GetProperty("executions").GetInt32() == 2;
        }, Timeout, "beta's new score on the leaderboard");
    }

    [Fact]
    public async Task Rank_intervals_are_stored_once_per_refresh_and_the_boards_in_use_get_them_again_after_the_next()
    {
        var benchmark = Guid.NewGuid();
        var agents = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        await PublishAndWaitAsync(agents.Select((a, i) => Scored(a, $"agent-{i}", benchmark, overall: 0.5 + 0.1 * i, speed: 0.5,
            items: new Dictionary<string, int[]> { ["q1"] = [i, 2], ["q2"] = [1, 2], ["q3"] = [2 - i / 2, 2] })).ToArray());

        // Each answer below has its own limit, so none is served from Redis: each reads the board from PostgreSQL.
        var computed = Intervals(await GetStringAsync("/benchmarks/leaderboard?limit=5"));
        var generation = await GenerationAsync();
        var stored = await StoredAsync(generation);
        Assert.Equal(computed, stored.ToDictionary(r => r.AgentId, r => (r.Low, r.High)));

        // The next answer of the board reads the stored rows (a marked row shows through), whatever its metric.
        await ExecuteAsync(db => db.RankIntervals.Where(r => r.AgentId == agents[0])
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Low, 99).SetProperty(r => r.High, 99)));
        Assert.Equal((99, 99), Intervals(await GetStringAsync("/benchmarks/leaderboard?limit=6&metric=speed"))[agents[0]]);

        // A new score refreshes the views: the board, asked under the previous refresh, gets intervals of the new one from
        // the refresher, before any answer asks, and the previous refresh's rows go.
        await PublishAndWaitAsync(Scored(agents[0], "agent-0", benchmark, overall: 0.9, speed: 0.5));
        await Eventually.TrueAsync(async () => await GenerationAsync() > generation && (await StoredAsync(await GenerationAsync())).Count == 3
            && (await StoredAsync(generation)).Count == 0, Timeout, "the board's intervals of the new refresh");
        var after = Intervals(await GetStringAsync("/benchmarks/leaderboard?limit=7"));
        Assert.NotEqual((99, 99), after[agents[0]]);
        Assert.Equal(after, (await StoredAsync(await GenerationAsync())).ToDictionary(r => r.AgentId, r => (r.Low, r.High)));
    }

    private static Dictionary<Guid, (int Low, int High)> Intervals(string answer)
    {
        using var doc = JsonDocument.Parse(answer);
        return doc.RootElement.GetProperty("entries").EnumerateArray().ToDictionary(
            e => e.GetProperty("agent_id").GetGuid(),
            e => (e.GetProperty("rank_interval").GetProperty("low").GetInt32(), e.GetProperty("rank_interval").GetProperty("high").GetInt32()));
    }

    private Task<long> GenerationAsync() => ExecuteAsync(db => db.ViewGenerations.Select(g => g.Generation).SingleAsync());

    /// <summary>The stored intervals of the default board (every status, per agent, overall) of the caller's workspace.</summary>
    private Task<List<StoredRankInterval>> StoredAsync(long generation) => ExecuteAsync(db => db.RankIntervals.AsNoTracking()
        .Where(r => r.WorkspaceId == "default" && r.Statuses == "all" && !r.ByVersion && r.BenchmarkCategory == "overall" && r.Generation == generation)
        .ToListAsync());

    private async Task<T> ExecuteAsync<T>(Func<LeaderboardDbContext, Task<T>> query)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>());
    }

    [Fact]
    public async Task A_duplicate_ExecutionScored_changes_nothing()
    {
        var agent = Guid.NewGuid();
        var original = Scored(agent, "alpha", Guid.NewGuid(), overall: 0.7, speed: 0.5);
        await PublishAndWaitAsync(original);
        var before = await GetStringAsync("/benchmarks/leaderboard?metric=accuracy");

        // Same execution id, different content: a redelivery must not overwrite or add anything.
        var consumed = _factory.Services.GetRequiredService<ConsumedMessages>();
        var deliveries = consumed.Of<ExecutionScored>();
        await Bus.Publish(original with { Scores = original.Scores with { OverallScore = 0.1, AccuracyScore = 0.1 }, ScoredAt = DateTimeOffset.UtcNow });
        await consumed.WaitForAsync<ExecutionScored>(deliveries + 1, Timeout);

        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>();
        var row = await db.Scores.SingleAsync();
        Assert.Equal(0.7, row.OverallScore, 9);
        Assert.Equal(before, await GetStringAsync("/benchmarks/leaderboard?metric=accuracy"));
    }

    [Fact]
    public async Task A_refresh_that_waits_longer_than_the_default_command_timeout_is_not_cut_short()
    {
        // A refresh over 10 million executions takes longer than Npgsql's default 30 s command timeout (docs/scale.md).
        // Stand-in: a lock that REFRESH ... CONCURRENTLY must wait for, held past 30 s (a materialized view cannot be named
        // in LOCK TABLE; a refresh of it in an open transaction holds the lock the service's refresh needs). Cut short, the
        // statement would be cancelled and retried (a new statement, a new query_start); with its own timeout it waits.
        var database = _factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("leaderboarddb");
        await using var holder = new NpgsqlConnection(database);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockView = new NpgsqlCommand($"REFRESH MATERIALIZED VIEW CONCURRENTLY {LeaderboardDbContext.Schema}.{LeaderboardDbContext.ComparisonMatrixView}", holder, transaction))
        {
            await lockView.ExecuteNonQueryAsync();
        }

        var agent = Guid.NewGuid();
        await Bus.Publish(Scored(agent, "alpha", Guid.NewGuid(), overall: 0.7, speed: 0.5));
        await using var observer = new NpgsqlConnection(database);
        await observer.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            "SELECT query_start FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'REFRESH MATERIALIZED VIEW%'",
            observer);
        var started = await Eventually.GetAsync(async () => await waiting.ExecuteScalarAsync() as DateTime?, Timeout, "the refresh to wait for the lock");

        await Task.Delay(TimeSpan.FromSeconds(35)); // the condition under test: past the 30 s default
        Assert.Equal(started, await waiting.ExecuteScalarAsync() as DateTime?);
        await transaction.CommitAsync();

        await Eventually.TrueAsync(async () =>
        {
            using var board = JsonDocument.Parse(await GetStringAsync("/benchmarks/leaderboard"));
            return board.RootElement.GetProperty("entries").EnumerateArray().Any(e => e.GetProperty("agent_id").GetGuid() == agent);
        }, Timeout, "the refreshed board to show the new score");
    }

    [Fact]
    public async Task Category_is_the_suite_category()
    {
        var agent = Guid.NewGuid();
        await PublishAndWaitAsync(Scored(agent, "alpha", Guid.NewGuid(), 0.7, 0.5, benchmarkCategory: "math"));
        using var accuracy = JsonDocument.Parse(await GetStringAsync("/benchmarks/leaderboard?category=Accuracy"));
        Assert.Equal(1, accuracy.RootElement.GetProperty("entries").GetArrayLength());
        Assert.Equal("accuracy", accuracy.RootElement.GetProperty("entries")[0].GetProperty("benchmark_category").GetString());
        using var speed = JsonDocument.Parse(await GetStringAsync("/benchmarks/leaderboard?category=speed"));
        Assert.Equal(0, speed.RootElement.GetProperty("entries").GetArrayLength());
    }

    [Theory]
    [InlineData("metric=latency", "metric")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("category=math", "category")]
    [InlineData("group_by=team", "group_by")]
    [InlineData("status=failed", "status")]
    public async Task Invalid_leaderboard_queries_are_400s(string query, string field)
    {
        var response = await _client.GetAsync($"/benchmarks/leaderboard?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Without_redis_the_leaderboard_is_served_from_postgres()
    {
        await using var factory = await StartAsync("127.0.0.1:1,connectTimeout=200");
        using var client = factory.CreateClient().WithCaller();
        await ScoreOneAgentAsync(factory, client, "the leaderboard without Redis");
    }

    [Fact]
    public async Task A_redis_that_stops_answering_is_a_cache_miss_and_the_leaderboard_is_served_from_postgres()
    {
        var redisAddress = infra.Redis.Split(',')[0];
        var separator = redisAddress.LastIndexOf(':');
        await using var relay = new TcpRelay(redisAddress[..separator], int.Parse(redisAddress[(separator + 1)..], CultureInfo.InvariantCulture));
        await using var factory = await StartAsync($"127.0.0.1:{relay.Port}");
        using var client = factory.CreateClient().WithCaller();
        var agent = await ScoreOneAgentAsync(factory, client, "the leaderboard with Redis");
        Assert.NotEmpty(await CachedBoardKeysAsync());

        // Redis still holds its connection but answers nothing: every cache read times out.
        relay.Freeze();
        foreach (var query in new[] { "", "?limit=7" }) // a cached board and one that is not
        {
            using var response = await client.GetAsync($"/benchmarks/leaderboard{query}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var doc = JsonDocument.Parse(body);
            Assert.Equal(agent, doc.RootElement.GetProperty("entries")[0].GetProperty("agent_id").GetGuid());
        }

        relay.Thaw(); // so that the host's Redis connection closes normally when it stops
    }

    [Fact]
    public async Task Serves_its_OpenAPI_document()
    {
        var response = await _client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/benchmarks/", await response.Content.ReadAsStringAsync());
    }

    private IBus Bus => _factory.Services.GetRequiredService<IBus>();

    /// <summary>Publishes one agent's score to <paramref name="factory"/>'s host and waits until its board shows it.</summary>
    private async Task<Guid> ScoreOneAgentAsync(WebApplicationFactory<LeaderboardDbContext> factory, HttpClient client, string what)
    {
        var agent = Guid.NewGuid();
        await factory.Services.GetRequiredService<IBus>().Publish(Scored(agent, "alpha", Guid.NewGuid(), 0.7, 0.5));
        await Eventually.TrueAsync(async () =>
        {
            using var doc = JsonDocument.Parse(await client.GetStringAsync("/benchmarks/leaderboard"));
            return doc.RootElement.GetProperty("entries").GetArrayLength() == 1;
        }, Timeout, what);
        return agent;
    }

    private async Task<string> GetStringAsync(string url)
    {
        var response = await _client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return text;
    }

    private async Task<List<RedisKey>> CachedBoardKeysAsync()
    {
        var keys = new List<RedisKey>();
        await foreach (var key in _redis.GetServers()[0].KeysAsync(pattern: _prefix + "board:*"))
        {
            keys.Add(key);
        }

        return keys;
    }

    private async Task PublishAndWaitAsync(params ExecutionScored[] messages)
    {
        foreach (var m in messages)
        {
            await Bus.Publish(m);
        }

        var ids = messages.Select(m => m.ExecutionId).ToList();
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>();
            return await db.Scores.CountAsync(s => ids.Contains(s.ExecutionId)) == ids.Count;
        }, Timeout, "the scores to be projected");
        await ViewSync.WaitForViewsAsync(_factory.Services, messages);
    }

    private ExecutionScored Scored(
        Guid agent, string name, Guid benchmark, double overall, double speed, double[]? accuracies = null, string benchmarkCategory = "general",
        Dictionary<string, int[]>? items = null)
    {
        accuracies ??= [overall, overall];
        return new ExecutionScored
        {
            ExecutionId = Guid.NewGuid(),
            RunId = Guid.NewGuid(),
            AgentId = agent,
            AgentName = name,
            AgentVersion = "1.0",
            SuiteId = _suite,
            SuiteCategory = "accuracy",
            BenchmarkId = benchmark,
            BenchmarkName = "b",
            BenchmarkCategory = benchmarkCategory,
            Status = "completed",
            ExecutionStatus = "success",
            Scores = new Scores(accuracies.Average(), speed, 0.5, 0.5, 1, overall),
            Metrics = new ExecutionMetrics
            {
                Samples = 10, FailedSamples = 0, Accuracy = accuracies.Average(), ErrorRate = 0, MeanLatencyMs = 100, MedianLatencyMs = 100,
                P95LatencyMs = 150, MeanTokensPerTask = 20, MeanCostPerTaskUsd = 0.001, TokensUsed = 200, TotalCostUsd = 0.01m, ApiCallsMade = 10,
                PerIteration = accuracies.Select((a, i) => new IterationMetrics(i, a, 100, 0.001, 20, 0)).ToList(),
            },
            ItemOutcomes = items ?? new Dictionary<string, int[]> { ["q1"] = [1, 2] },
            ScoredAt = DateTimeOffset.UtcNow,
        };
    }
}
