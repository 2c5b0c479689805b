using System.Net;
using System.Text.Json;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StackExchange.Redis;

namespace BenchMesh.Leaderboard.Tests;

/// <summary>
/// The §3.1 and §5.1 views and their API, against real PostgreSQL, RabbitMQ and Redis. The oracle is the specification's
/// own SQL (Oracle/*.sql, verbatim), run over the same executions in a scratch schema.
/// </summary>
public sealed class AnalyticsViewsTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string[] SpecMetrics = ["accuracy", "speed", "efficiency", "cost", "reliability"];

    // Now, to the second (PostgreSQL keeps microseconds, .NET ticks: whole seconds compare exactly).
    private readonly DateTimeOffset _now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    private WebApplicationFactory<LeaderboardDbContext> _factory = null!;
    private HttpClient _client = null!;
    private string _database = "";
    private string _prefix = "";

    public async Task InitializeAsync()
    {
        _database = infra.CreateDatabase("leaderboard");
        _prefix = infra.CreateRedisPrefix("leaderboard");
        var vhost = await infra.CreateVirtualHostAsync("leaderboard");
        _factory = new WebApplicationFactory<LeaderboardDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:leaderboarddb", _database);
            b.UseSetting("ConnectionStrings:rabbitmq", vhost);
            b.UseSetting("ConnectionStrings:redis", infra.Redis);
            b.UseSetting("Leaderboard:CacheKeyPrefix", _prefix);
            // No periodic refresh during a test: what the views show, the consumer's refresh requests put there.
            b.UseSetting("Leaderboard:Views:Period", "01:00:00");
        });
        _client = _factory.CreateClient().WithCaller();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(infra.Redis);
        await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: _prefix + "*"))
        {
            await redis.GetDatabase().KeyDeleteAsync(key);
        }
    }

    /// <summary>One execution of the oracle's data set; scores are multiples of 1/64, so every sum is exact in any order.</summary>
    private sealed record Run(
        Guid Agent, string Name, string Version, Guid Suite, string Category, Guid Benchmark, string Status, double[] Scores,
        DateTimeOffset At, bool Legacy = false)
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    private static double[] S(params int[] sixtyFourths) => sixtyFourths.Select(k => k / 64.0).ToArray();

    [Fact]
    public async Task The_views_and_the_api_equal_the_specifications_own_sql()
    {
        Guid alpha = Guid.NewGuid(), beta = Guid.NewGuid(), gamma = Guid.NewGuid(), delta = Guid.NewGuid(), epsilon = Guid.NewGuid();
        Guid accuracySuite = Guid.NewGuid(), speedSuite = Guid.NewGuid(), comprehensiveSuite = Guid.NewGuid();
        Guid b1 = Guid.NewGuid(), b2 = Guid.NewGuid(), b3 = Guid.NewGuid(), b4 = Guid.NewGuid();
        DateTimeOffset Ago(double days) => _now.AddSeconds(-Math.Round(days * 86_400));

        List<Run> runs =
        [
            // alpha: two versions; an older name; a newer and an older execution of b1; a terminated, a failed and a 45-day-old one.
            new(alpha, "alpha (old name)", "1.0", accuracySuite, "accuracy", b1, "success", S(40, 30, 20, 10, 64), Ago(20)),
            new(alpha, "alpha", "2.0", accuracySuite, "accuracy", b1, "success", S(48, 32, 24, 16, 64), Ago(2)),
            new(alpha, "alpha", "2.0", accuracySuite, "accuracy", b2, "terminated", S(44, 36, 28, 20, 56), Ago(3)),
            new(alpha, "alpha", "2.0", speedSuite, "speed", b3, "failed", S(0, 0, 0, 0, 0), Ago(1)),
            new(alpha, "alpha", "1.0", speedSuite, "speed", b3, "success", S(32, 60, 40, 30, 64), Ago(10)),
            new(alpha, "alpha (old name)", "1.0", comprehensiveSuite, "comprehensive", b4, "success", S(36, 36, 36, 36, 36), Ago(45)),
            // beta: a newer and an older b1; b3 equal to alpha 1.0's; a failed b4 in the message format without the status.
            new(beta, "beta", "1.0", accuracySuite, "accuracy", b1, "success", S(48, 40, 24, 16, 64), Ago(5)),
            new(beta, "beta", "1.0", accuracySuite, "accuracy", b1, "success", S(8, 8, 8, 8, 8), Ago(12)),
            new(beta, "beta", "1.0", speedSuite, "speed", b3, "success", S(32, 60, 40, 30, 64), Ago(4)),
            new(beta, "beta", "1.0", comprehensiveSuite, "comprehensive", b4, "failed", S(16, 16, 16, 16, 0), Ago(6), Legacy: true),
            // gamma: beta's twin (a tie on every score, in every category).
            new(gamma, "gamma", "3.1", accuracySuite, "accuracy", b1, "success", S(48, 40, 24, 16, 64), Ago(5.01)),
            new(gamma, "gamma", "3.1", accuracySuite, "accuracy", b1, "success", S(8, 8, 8, 8, 8), Ago(12.01)),
            new(gamma, "gamma", "3.1", speedSuite, "speed", b3, "success", S(32, 60, 40, 30, 64), Ago(4.01)),
            new(gamma, "gamma", "3.1", comprehensiveSuite, "comprehensive", b4, "failed", S(16, 16, 16, 16, 0), Ago(6.01), Legacy: true),
            // delta: a legacy completed execution (a success) equal to alpha 2.0's b1, and one older than 30 days.
            new(delta, "delta", "0.9", accuracySuite, "accuracy", b1, "success", S(48, 32, 24, 16, 64), Ago(7), Legacy: true),
            new(delta, "delta", "0.9", accuracySuite, "accuracy", b2, "success", S(20, 62, 50, 40, 60), Ago(8)),
            new(delta, "delta", "0.9", comprehensiveSuite, "comprehensive", b4, "success", S(40, 44, 48, 52, 60), Ago(33)),
            // epsilon: only executions older than 30 days (in the matrix, which has no window, but on no leaderboard).
            new(epsilon, "epsilon", "1.0", accuracySuite, "accuracy", b1, "success", S(60, 10, 10, 10, 64), Ago(50)),
            new(epsilon, "epsilon", "1.0", speedSuite, "speed", b3, "failed", S(0, 0, 0, 0, 0), Ago(31)),
        ];

        // Through the real projection path, then a last recent execution as the sentinel the refresh is awaited by.
        await PublishAndWaitForProjectionAsync(runs);
        var sentinel = new Run(delta, "delta", "0.9", speedSuite, "speed", b3, "success", S(24, 56, 8, 12, 64), _now.AddHours(-1));
        await PublishAndWaitForProjectionAsync([sentinel]);
        runs.Add(sentinel);
        await ViewSync.WaitForViewsAsync(_factory.Services, [Message(sentinel)]);

        // The projection's status: the new field, or the legacy one mapped (completed → success).
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>().Scores.ToDictionaryAsync(s => s.ExecutionId, s => s.ExecutionStatus);
            Assert.All(runs, r => Assert.Equal(r.Status, stored[r.Id]));
        }

        var oracle = await RunOracleAsync(runs);

        // §5.1, category by category: every agent, every score and rank (ties included), and the other columns.
        Assert.Contains(oracle.Leaderboard, o => oracle.Leaderboard.Count(p => p.Category == o.Category && p.Ranks["accuracy"] == o.Ranks["accuracy"]) > 1);
        Assert.DoesNotContain(oracle.Leaderboard, o => o.AgentId == epsilon);
        foreach (var category in oracle.Leaderboard.Select(o => o.Category).Distinct())
        {
            var expected = oracle.Leaderboard.Where(o => o.Category == category).ToDictionary(o => o.AgentId);
            using var doc = JsonDocument.Parse(await GetStringAsync($"/benchmarks/leaderboard?category={category}&metric=all&limit=100"));
            var entries = doc.RootElement.GetProperty("entries").EnumerateArray().ToList();
            Assert.Equal(expected.Keys.Order(), entries.Select(e => e.GetProperty("agent_id").GetGuid()).Order());
            foreach (var entry in entries)
            {
                var o = expected[entry.GetProperty("agent_id").GetGuid()];
                Assert.Equal(o.AgentName, entry.GetProperty("agent_name").GetString());
                Assert.Equal(category, entry.GetProperty("benchmark_category").GetString());
                foreach (var metric in SpecMetrics)
                {
                    var scoreAndRank = entry.GetProperty("scores_and_ranks").GetProperty(metric);
                    Assert.Equal(o.Scores[metric], scoreAndRank.GetProperty("score").GetDouble());
                    Assert.Equal(o.Ranks[metric], scoreAndRank.GetProperty("rank").GetInt64());
                }

                Assert.Equal(o.BenchmarksCompleted, entry.GetProperty("benchmarks_completed").GetInt64());
                Assert.Equal(o.LastBenchmarkDate, entry.GetProperty("last_benchmark_date").GetDateTimeOffset());
                Assert.Equal(o.BestRanking, entry.GetProperty("best_ranking").GetInt64());
            }

            // §5.1's order within a category: by best_ranking.
            var best = entries.Select(e => e.GetProperty("best_ranking").GetInt64()).ToList();
            Assert.Equal(best.Order(), best);
        }

        // §3.1: every agent with a successful execution (epsilon's is 50 days old), every score and rank.
        Assert.Contains(oracle.Matrix, o => o.AgentId == epsilon);
        Assert.Contains(oracle.Matrix, o => oracle.Matrix.Count(p => p.Ranks["overall"] == o.Ranks["overall"]) > 1);
        using (var doc = JsonDocument.Parse(await GetStringAsync("/benchmarks/comparison-matrix")))
        {
            var agents = doc.RootElement.GetProperty("agents").EnumerateArray().ToList();
            Assert.Equal(oracle.Matrix.Select(o => o.AgentId).Order(), agents.Select(a => a.GetProperty("agent_id").GetGuid()).Order());
            foreach (var agent in agents)
            {
                AssertMatrixEntry(oracle.Matrix.Single(o => o.AgentId == agent.GetProperty("agent_id").GetGuid()), agent);
            }
        }

        // A subset keeps the view's ranks (among all agents).
        using (var doc = JsonDocument.Parse(await GetStringAsync($"/benchmarks/comparison-matrix?agent_ids={delta},{epsilon}")))
        {
            var agents = doc.RootElement.GetProperty("agents").EnumerateArray().ToList();
            Assert.Equal(2, agents.Count);
            foreach (var agent in agents)
            {
                AssertMatrixEntry(oracle.Matrix.Single(o => o.AgentId == agent.GetProperty("agent_id").GetGuid()), agent);
            }
        }
    }

    private static void AssertMatrixEntry(OracleRow expected, JsonElement actual)
    {
        foreach (var metric in SpecMetrics)
        {
            var scoreAndRank = actual.GetProperty("scores_and_ranks").GetProperty(metric);
            Assert.Equal(expected.Scores[metric], scoreAndRank.GetProperty("score").GetDouble());
            Assert.Equal(expected.Ranks[metric], scoreAndRank.GetProperty("rank").GetInt64());
        }

        Assert.Equal(expected.Scores["overall"], actual.GetProperty("overall_score").GetDouble());
        Assert.Equal(expected.Ranks["overall"], actual.GetProperty("overall_rank").GetInt64());
    }

    [Fact]
    public async Task Versions_and_successful_executions_only_are_options()
    {
        Guid agent = Guid.NewGuid(), other = Guid.NewGuid(), suite = Guid.NewGuid(), benchmark = Guid.NewGuid();
        List<Run> runs =
        [
            new(agent, "alpha", "1.0", suite, "accuracy", benchmark, "success", S(48, 32, 32, 32, 64), _now.AddDays(-2)),
            new(agent, "alpha", "2.0", suite, "accuracy", benchmark, "failed", S(0, 0, 0, 0, 0), _now.AddDays(-1)),
            new(other, "beta", "1.0", suite, "accuracy", benchmark, "success", S(32, 32, 32, 32, 64), _now.AddDays(-1)),
        ];
        await PublishAndWaitForProjectionAsync(runs);
        await ViewSync.WaitForViewsAsync(_factory.Services, runs.Select(Message));

        // The specification's default averages the failed execution in: alpha falls below beta.
        var all = await EntriesAsync("/benchmarks/leaderboard?metric=accuracy");
        Assert.Equal([other, agent], all.Select(e => e.GetProperty("agent_id").GetGuid()));
        Assert.Equal(24 / 64.0, all[1].GetProperty("scores_and_ranks").GetProperty("accuracy").GetProperty("score").GetDouble());
        Assert.Equal(["accuracy"], all[1].GetProperty("scores_and_ranks").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, all[1].GetProperty("executions").GetInt32());

        // status=success leaves it out.
        var successful = await EntriesAsync("/benchmarks/leaderboard?metric=accuracy&status=success");
        Assert.Equal([agent, other], successful.Select(e => e.GetProperty("agent_id").GetGuid()));
        Assert.Equal(48 / 64.0, successful[0].GetProperty("scores_and_ranks").GetProperty("accuracy").GetProperty("score").GetDouble());

        // group_by=version: every version its own row.
        var versions = await EntriesAsync("/benchmarks/leaderboard?metric=accuracy&group_by=version");
        Assert.Equal(["1.0", "1.0", "2.0"], versions.Select(e => e.GetProperty("agent_version").GetString()));
        Assert.Equal([agent, other, agent], versions.Select(e => e.GetProperty("agent_id").GetGuid()));
        Assert.Equal([1L, 2L, 3L], versions.Select(e => e.GetProperty("scores_and_ranks").GetProperty("accuracy").GetProperty("rank").GetInt64()));

        // metric=all lists the five scores of §5.1 and the overall one; limit truncates.
        var top = await EntriesAsync("/benchmarks/leaderboard?limit=1");
        Assert.Single(top);
        Assert.Equal(["accuracy", "speed", "efficiency", "cost", "reliability", "overall"],
            top[0].GetProperty("scores_and_ranks").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_clear_leader_is_not_tied_and_two_near_identical_agents_are()
    {
        Guid leader = Guid.NewGuid(), chaser = Guid.NewGuid(), twinA = Guid.NewGuid(), twinB = Guid.NewGuid();
        Guid accuracySuite = Guid.NewGuid(), speedSuite = Guid.NewGuid();
        var messages = new List<ExecutionScored>();
        for (var b = 0; b < 3; b++)
        {
            var benchmark = Guid.NewGuid();
            // 40 items each: the leader answers 38, the chaser 20; the twins 30 and 31.
            messages.Add(ItemsMessage(leader, "leader", accuracySuite, "accuracy", benchmark, 38));
            messages.Add(ItemsMessage(chaser, "chaser", accuracySuite, "accuracy", benchmark, 20));
            messages.Add(ItemsMessage(twinA, "twin-a", speedSuite, "speed", benchmark, 30));
            messages.Add(ItemsMessage(twinB, "twin-b", speedSuite, "speed", benchmark, 31));
        }

        foreach (var m in messages)
        {
            await _factory.Services.GetRequiredService<IBus>().Publish(m);
        }

        await ViewSync.WaitForViewsAsync(_factory.Services, messages);

        var clear = await EntriesAsync("/benchmarks/leaderboard?category=accuracy&metric=accuracy");
        Assert.Equal([leader, chaser], clear.Select(e => e.GetProperty("agent_id").GetGuid()));
        Assert.Equal((1, 1), Interval(clear[0]));
        Assert.Equal((2, 2), Interval(clear[1]));
        Assert.All(clear, e => Assert.False(e.GetProperty("tied_with_leader").GetBoolean()));

        var close = await EntriesAsync("/benchmarks/leaderboard?category=speed&metric=accuracy");
        Assert.Equal([twinB, twinA], close.Select(e => e.GetProperty("agent_id").GetGuid()));
        Assert.Equal((1, 2), Interval(close[0]));
        Assert.Equal((1, 2), Interval(close[1]));
        Assert.All(close, e => Assert.True(e.GetProperty("tied_with_leader").GetBoolean()));

        // Seeded: the same board gives the same intervals (read from PostgreSQL again, the cache emptied).
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(infra.Redis))
        {
            await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: _prefix + "board:*"))
            {
                await redis.GetDatabase().KeyDeleteAsync(key);
            }
        }

        var again = await EntriesAsync("/benchmarks/leaderboard?category=speed&metric=accuracy");
        Assert.Equal(close.Select(Interval), again.Select(Interval));
    }

    [Theory]
    [InlineData("agent_ids=nope")]
    [InlineData("agent_ids=00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000001")]
    public async Task Matrix_rejects_bad_agent_ids(string query)
    {
        var response = await _client.GetAsync($"/benchmarks/comparison-matrix?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("agent_ids", out _));
    }

    [Fact]
    public async Task Matrix_of_an_agent_without_a_successful_execution_is_404()
    {
        var response = await _client.GetAsync($"/benchmarks/comparison-matrix?agent_ids={Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static (int, int) Interval(JsonElement entry) =>
        (entry.GetProperty("rank_interval").GetProperty("low").GetInt32(), entry.GetProperty("rank_interval").GetProperty("high").GetInt32());

    private sealed record OracleRow(
        Guid AgentId, string? AgentName, string? Category, Dictionary<string, double> Scores, Dictionary<string, long> Ranks,
        long BenchmarksCompleted, DateTimeOffset LastBenchmarkDate, long BestRanking);

    private sealed record Oracle(List<OracleRow> Matrix, List<OracleRow> Leaderboard);

    /// <summary>
    /// The specification's tables in a scratch schema, filled with the same executions, and its SQL run over them: §1.2's
    /// DDL, §3.1 and §5.1 exactly as written (Oracle/*.sql); search_path makes their table names resolve to the scratch
    /// schema, so not even the names are changed. agents and benchmark_suites, which the specification uses without
    /// defining, get the columns it reads. The session is in UTC, as §1.2's created_at is a timestamp without zone.
    /// </summary>
    private async Task<Oracle> RunOracleAsync(IReadOnlyList<Run> runs)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await Execute(connection, """
            CREATE SCHEMA spec_oracle;
            SET search_path TO spec_oracle;
            SET TIME ZONE 'UTC';
            CREATE TABLE agents (id UUID PRIMARY KEY, name VARCHAR(200) NOT NULL);
            CREATE TABLE benchmark_suites (id UUID PRIMARY KEY, category VARCHAR(50) NOT NULL);
            """);
        await Execute(connection, OracleSql("spec-1.2-benchmark_executions.sql"));

        // An agent's name is its current one: the name of its latest execution.
        foreach (var agent in runs.GroupBy(r => r.Agent))
        {
            await Execute(connection, "INSERT INTO agents (id, name) VALUES ($1, $2)", agent.Key, agent.MaxBy(r => r.At)!.Name);
        }

        foreach (var suite in runs.GroupBy(r => r.Suite))
        {
            await Execute(connection, "INSERT INTO benchmark_suites (id, category) VALUES ($1, $2)", suite.Key, suite.First().Category);
        }

        foreach (var r in runs)
        {
            var at = r.At.UtcDateTime;
            await Execute(connection, """
                INSERT INTO benchmark_executions (id, suite_id, benchmark_id, agent_id, agent_version, workspace_id, start_time, end_time,
                    accuracy_score, speed_score, efficiency_score, cost_score, reliability_score, status, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $7)
                """, r.Id, r.Suite, r.Benchmark, r.Agent, r.Version, Guid.Empty, DateTime.SpecifyKind(at, DateTimeKind.Unspecified),
                r.Scores[0], r.Scores[1], r.Scores[2], r.Scores[3], r.Scores[4], r.Status);
        }

        await Execute(connection, OracleSql("spec-3.1-agent_comparison_matrix.sql"));
        await Execute(connection, OracleSql("spec-5.1-benchmark_leaderboard.sql"));

        var matrix = new List<OracleRow>();
        await using (var command = new NpgsqlCommand("SELECT * FROM agent_comparison_matrix", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var scores = SpecMetrics.ToDictionary(m => m, m => reader.GetDouble(reader.GetOrdinal($"avg_{m}")));
                var ranks = SpecMetrics.ToDictionary(m => m, m => reader.GetInt64(reader.GetOrdinal($"{m}_rank")));
                scores["overall"] = reader.GetDouble(reader.GetOrdinal("overall_score"));
                ranks["overall"] = reader.GetInt64(reader.GetOrdinal("overall_rank"));
                matrix.Add(new OracleRow(reader.GetGuid(reader.GetOrdinal("agent_id")), null, null, scores, ranks, 0, default, 0));
            }
        }

        var leaderboard = new List<OracleRow>();
        await using (var command = new NpgsqlCommand("SELECT *, scores_and_ranks::text AS scores_json FROM benchmark_leaderboard", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                using var json = JsonDocument.Parse(reader.GetString(reader.GetOrdinal("scores_json")));
                leaderboard.Add(new OracleRow(
                    reader.GetGuid(reader.GetOrdinal("agent_id")),
                    reader.GetString(reader.GetOrdinal("agent_name")),
                    reader.GetString(reader.GetOrdinal("benchmark_category")),
                    SpecMetrics.ToDictionary(m => m, m => json.RootElement.GetProperty(m).GetProperty("score").GetDouble()),
                    SpecMetrics.ToDictionary(m => m, m => json.RootElement.GetProperty(m).GetProperty("rank").GetInt64()),
                    reader.GetInt64(reader.GetOrdinal("benchmarks_completed")),
                    new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(reader.GetOrdinal("last_benchmark_date")), DateTimeKind.Utc)),
                    reader.GetInt64(reader.GetOrdinal("best_ranking"))));
            }
        }

        return new Oracle(matrix, leaderboard);
    }

    private static string OracleSql(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Oracle", file));

    private static async Task Execute(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<JsonElement>> EntriesAsync(string url)
    {
        using var doc = JsonDocument.Parse(await GetStringAsync(url));
        return doc.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private async Task<string> GetStringAsync(string url)
    {
        var response = await _client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return text;
    }

    private async Task PublishAndWaitForProjectionAsync(IReadOnlyList<Run> runs)
    {
        var bus = _factory.Services.GetRequiredService<IBus>();
        foreach (var r in runs)
        {
            await bus.Publish(Message(r));
        }

        var ids = runs.Select(r => r.Id).ToList();
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>();
            return await db.Scores.CountAsync(s => ids.Contains(s.ExecutionId)) == ids.Count;
        }, Timeout, "the executions to be projected");
    }

    /// <summary>The event Scoring would publish; a legacy one has no ExecutionStatus (only completed or failed).</summary>
    private static ExecutionScored Message(Run r) => Event(
        r.Id, r.Agent, r.Name, r.Version, r.Suite, r.Category, r.Benchmark,
        r.Legacy ? null : r.Status, r.Status == "failed" ? "failed" : "completed",
        r.Scores, new Dictionary<string, int[]> { ["q1"] = [1, 1] }, r.At);

    /// <summary>An execution of 40 single-attempt items, <paramref name="correct"/> of them right.</summary>
    private ExecutionScored ItemsMessage(Guid agent, string name, Guid suite, string category, Guid benchmark, int correct) => Event(
        Guid.NewGuid(), agent, name, "1.0", suite, category, benchmark, "success", "completed",
        [correct / 40.0, 0.5, 0.5, 0.5, 1], Enumerable.Range(0, 40).ToDictionary(i => $"q{i}", i => new[] { i < correct ? 1 : 0, 1 }), _now.AddHours(-1));

    private static ExecutionScored Event(
        Guid id, Guid agent, string name, string version, Guid suite, string category, Guid benchmark, string? executionStatus, string status,
        double[] s, Dictionary<string, int[]> items, DateTimeOffset at) => new()
        {
            ExecutionId = id,
            RunId = Guid.NewGuid(),
            AgentId = agent,
            AgentName = name,
            AgentVersion = version,
            SuiteId = suite,
            SuiteCategory = category,
            BenchmarkId = benchmark,
            BenchmarkName = "benchmark",
            BenchmarkCategory = "general",
            Status = status,
            ExecutionStatus = executionStatus,
            Scores = new Scores(s[0], s[1], s[2], s[3], s[4], 0.3 * s[0] + 0.2 * s[1] + 0.2 * s[2] + 0.15 * s[3] + 0.15 * s[4]),
            Metrics = new ExecutionMetrics
            {
                Samples = items.Count, FailedSamples = 0, Accuracy = s[0], ErrorRate = 1 - s[4], MeanLatencyMs = 100, MedianLatencyMs = 100,
                P95LatencyMs = 150, MeanTokensPerTask = 20, MeanCostPerTaskUsd = 0.001, TokensUsed = 200, TotalCostUsd = 0.01m, ApiCallsMade = 10,
                PerIteration = [new IterationMetrics(0, s[0], 100, 0.001, 20, 1 - s[4])],
            },
            ItemOutcomes = items,
            ScoredAt = at,
        };
}
