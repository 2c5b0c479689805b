using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace BenchMesh.Leaderboard.Tests;

/// <summary>
/// The leaderboard per workspace, on real PostgreSQL, RabbitMQ and Redis: each workspace's board holds its own agents,
/// ranked among themselves (the views rank everyone together), its answers are cached apart, and another workspace's
/// agent named in a comparison answers as an agent without results does. Executions arrive through the consumer.
/// </summary>
public sealed class LeaderboardWorkspaceTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private const string TeamA = "team-a";
    private const string TeamB = "team:b"; // the cache keys' separator in a workspace id must not mix keys up
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Guid _suite = Guid.NewGuid();
    private readonly Guid _benchmark = Guid.NewGuid();
    private WebApplicationFactory<LeaderboardDbContext> _factory = null!;
    private string _prefix = "";
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        _prefix = infra.CreateRedisPrefix("leaderboard-ws");
        var database = infra.CreateDatabase("leaderboard_ws");
        var vhost = await infra.CreateVirtualHostAsync("leaderboard-ws");
        _factory = new WebApplicationFactory<LeaderboardDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:leaderboarddb", database);
            b.UseSetting("ConnectionStrings:rabbitmq", vhost);
            b.UseSetting("ConnectionStrings:redis", infra.Redis);
            b.UseSetting("Leaderboard:CacheKeyPrefix", _prefix);
            b.UseSetting("Leaderboard:Views:Period", "01:00:00");
        });
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

    [Fact]
    public async Task Each_workspace_ranks_its_own_agents_one_to_n_with_ties_sharing_a_rank()
    {
        // Accuracy over both workspaces: b1 0.95, a1 0.9, b2 0.7, a2 0.5, a3 0.5. The views rank a1 2nd and a2, a3 4th.
        var (a1, a2, a3, b1, b2) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await PublishAndWaitAsync(
            Scored(TeamA, a1, "a1", accuracy: 0.9, speed: 0.2),
            Scored(TeamA, a2, "a2", accuracy: 0.5, speed: 0.8),
            Scored(TeamA, a3, "a3", accuracy: 0.5, speed: 0.4),
            Scored(TeamB, b1, "b1", accuracy: 0.95, speed: 0.9),
            Scored(TeamB, b2, "b2", accuracy: 0.7, speed: 0.1));
        var globalA1 = await ViewRankAsync(a1);

        using var boardA = await GetJsonAsync(TeamA, "/benchmarks/leaderboard?metric=all");
        using var boardB = await GetJsonAsync(TeamB, "/benchmarks/leaderboard?metric=all");
        using var boardDefault = await GetJsonAsync(Callers.DefaultWorkspace, "/benchmarks/leaderboard?metric=all");

        Assert.Equal(2, globalA1); // what the view alone would have answered
        var a = Entries(boardA);
        Assert.Equal(new[] { a1, a2, a3 }.Order(), a.Keys.Order());
        Assert.Equal(1, Rank(a[a1], "accuracy"));
        Assert.Equal(2, Rank(a[a2], "accuracy")); // tied with a3: both 2nd, and no 3rd
        Assert.Equal(2, Rank(a[a3], "accuracy"));
        Assert.Equal(1, Rank(a[a2], "speed"));
        Assert.Equal(2, Rank(a[a3], "speed"));
        Assert.Equal(3, Rank(a[a1], "speed"));
        Assert.Equal(1, a[a1].GetProperty("best_ranking").GetInt32());
        Assert.Equal(1, a[a2].GetProperty("best_ranking").GetInt32());
        Assert.All(a.Values, e => Assert.InRange(e.GetProperty("rank_interval").GetProperty("high").GetInt32(), 1, 3));

        var b = Entries(boardB);
        Assert.Equal(2, b.Count);
        Assert.Equal(1, Rank(b[b1], "accuracy"));
        Assert.Equal(2, Rank(b[b2], "accuracy"));
        Assert.Equal(1, Rank(b[b1], "overall"));
        Assert.Empty(Entries(boardDefault));

        // Cached apart: asked again, each workspace gets its own answer from Redis, under a key naming the workspace.
        using var againB = await GetJsonAsync(TeamB, "/benchmarks/leaderboard?metric=all");
        Assert.Equal(boardB.RootElement.GetRawText(), againB.RootElement.GetRawText());
        var keys = new List<string>();
        await foreach (var key in _redis.GetServers()[0].KeysAsync(pattern: _prefix + "board:*"))
        {
            keys.Add(key.ToString());
        }

        Assert.Contains(keys, k => k.Contains(":team-a:", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.Contains(":team%3Ab:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_comparison_matrix_ranks_within_the_workspace_and_another_workspaces_agent_is_404()
    {
        var (a1, a2, b1) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await PublishAndWaitAsync(
            Scored(TeamA, a1, "a1", accuracy: 0.6, speed: 0.6),
            Scored(TeamA, a2, "a2", accuracy: 0.6, speed: 0.6),
            Scored(TeamB, b1, "b1", accuracy: 0.9, speed: 0.9));
        var unknown = Guid.NewGuid();

        using var matrix = await GetJsonAsync(TeamA, "/benchmarks/comparison-matrix");
        var agents = matrix.RootElement.GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal(new[] { a1, a2 }.Order(), agents.Select(x => x.GetProperty("agent_id").GetGuid()).Order());
        Assert.All(agents, x => Assert.Equal(1, x.GetProperty("overall_rank").GetInt32())); // equal scores share rank 1
        Assert.All(agents, x => Assert.Equal(1, Rank(x, "accuracy")));

        using var client = Client(TeamA);
        await NotFoundProblems.AssertSameAsync(
            await client.GetAsync($"/benchmarks/comparison-matrix?agent_ids={a1},{b1}"), b1,
            await client.GetAsync($"/benchmarks/comparison-matrix?agent_ids={a1},{unknown}"), unknown);
        await NotFoundProblems.AssertSameAsync(
            await client.PostAsJsonAsync("/benchmarks/compare", new { agent_ids = new[] { a1.ToString(), b1.ToString() }, suite_id = _suite }), b1,
            await client.PostAsJsonAsync("/benchmarks/compare", new { agent_ids = new[] { a1.ToString(), unknown.ToString() }, suite_id = _suite }), unknown);
        using var own = await client.PostAsJsonAsync("/benchmarks/compare", new { agent_ids = new[] { a1.ToString(), a2.ToString() }, suite_id = _suite });
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/benchmarks/leaderboard")]
    [InlineData("GET", "/benchmarks/comparison-matrix")]
    [InlineData("POST", "/benchmarks/compare")]
    public async Task Without_a_caller_the_routes_are_a_401_problem(string method, string path)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { agent_ids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() }, suite_id = _suite });
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
    }

    private HttpClient Client(string workspace) => _factory.CreateClient().WithCaller(workspace);

    private async Task<JsonDocument> GetJsonAsync(string workspace, string path)
    {
        using var client = Client(workspace);
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text);
    }

    private static Dictionary<Guid, JsonElement> Entries(JsonDocument board) =>
        board.RootElement.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("agent_id").GetGuid(), e => e.Clone());

    private static int Rank(JsonElement entry, string metric) =>
        entry.GetProperty("scores_and_ranks").GetProperty(metric).GetProperty("rank").GetInt32();

    /// <summary>The agent's accuracy rank in the §5.1 view itself (every workspace together).</summary>
    private async Task<long> ViewRankAsync(Guid agent)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>();
        return await db.Leaderboard
            .Where(r => r.Statuses == "all" && !r.ByVersion && r.BenchmarkCategory == "overall" && r.AgentId == agent)
            .Select(r => r.AccuracyRank)
            .SingleAsync();
    }

    private async Task PublishAndWaitAsync(params ExecutionScored[] messages)
    {
        var bus = _factory.Services.GetRequiredService<IBus>();
        foreach (var m in messages)
        {
            await bus.Publish(m);
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

    private ExecutionScored Scored(string workspace, Guid agent, string name, double accuracy, double speed) => new()
    {
        ExecutionId = Guid.NewGuid(),
        RunId = Guid.NewGuid(),
        AgentId = agent,
        AgentName = name,
        AgentVersion = "1.0",
        WorkspaceId = workspace,
        SuiteId = _suite,
        SuiteCategory = "accuracy",
        BenchmarkId = _benchmark,
        BenchmarkName = "b",
        BenchmarkCategory = "general",
        Status = "completed",
        ExecutionStatus = "success",
        Scores = new Scores(accuracy, speed, 0.5, 0.5, 1, accuracy * 0.3 + speed * 0.2 + 0.5 * 0.2 + 0.5 * 0.15 + 0.15),
        Metrics = new ExecutionMetrics
        {
            Samples = 10, FailedSamples = 0, Accuracy = accuracy, ErrorRate = 0, MeanLatencyMs = 100, MedianLatencyMs = 100,
            P95LatencyMs = 150, MeanTokensPerTask = 20, MeanCostPerTaskUsd = 0.001, TokensUsed = 200, TotalCostUsd = 0.01m, ApiCallsMade = 10,
            PerIteration = [new IterationMetrics(0, accuracy, 100, 0.001, 20, 0), new IterationMetrics(1, accuracy, 100, 0.001, 20, 0)],
        },
        ItemOutcomes = new Dictionary<string, int[]> { ["q1"] = [(int)Math.Round(accuracy * 10), 10] },
        ScoredAt = DateTimeOffset.UtcNow,
    };
}
