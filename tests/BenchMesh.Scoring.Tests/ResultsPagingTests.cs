using System.Net;
using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Scoring.Apis;
using BenchMesh.Scoring.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BenchMesh.Scoring.Tests;

/// <summary>
/// Cursor paging of <c>GET /benchmarks/agents/{agent_id}/results</c> on a real PostgreSQL: <c>all</c> and <c>30d</c> are
/// paged newest first without repeating or skipping an execution (same-microsecond ones included), <c>latest</c> is
/// answered whole as before. The executions are written straight into the service's database.
/// </summary>
public sealed class ResultsPagingTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly RegisteredAgentsCatalog _catalog = new();
    private WebApplicationFactory<ScoringDbContext> _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var database = infra.CreateDatabase("results");
        var rabbitMq = await infra.CreateVirtualHostAsync("results");
        _factory = new WebApplicationFactory<ScoringDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting($"ConnectionStrings:{ResourceNames.ScoringDb}", database);
            b.UseSetting($"ConnectionStrings:{ResourceNames.RabbitMq}", rabbitMq);
            b.ConfigureTestServices(services => services.RemoveAll<ISuiteCatalog>().AddSingleton<ISuiteCatalog>(_catalog));
        });
        _client = _factory.CreateClient().WithCaller();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Paging_all_results_returns_each_execution_once_newest_first_with_ties_broken_by_id()
    {
        var agent = _catalog.Register();
        // 26 executions, five at a time sharing one created_at to the microsecond.
        var seeded = await SeedAsync(Enumerable.Range(0, 26).Select(i => NewExecution(agent, Guid.NewGuid(), "1.0", Start.AddMinutes(i / 5))));

        var pages = await PageAsync($"/benchmarks/agents/{agent}/results?timeframe=all&limit=6");

        Assert.Equal([6, 6, 6, 6, 2], pages.Select(p => p.Count));
        Assert.Equal(await ExpectedAsync(seeded), pages.SelectMany(p => p));
    }

    [Fact]
    public async Task Paging_keeps_the_suite_filter_and_the_30_day_window()
    {
        var agent = _catalog.Register();
        var (suite, otherSuite) = (Guid.NewGuid(), Guid.NewGuid());
        var now = DateTimeOffset.UtcNow;
        var recent = await SeedAsync(Enumerable.Range(0, 7).Select(i => NewExecution(agent, Guid.NewGuid(), "1.0", now.AddDays(-i), suite)));
        await SeedAsync([NewExecution(agent, Guid.NewGuid(), "1.0", now.AddDays(-40), suite), NewExecution(agent, Guid.NewGuid(), "1.0", now, otherSuite)]);

        var pages = await PageAsync($"/benchmarks/agents/{agent}/results?timeframe=30d&suite_id={suite}&limit=3");

        Assert.Equal([3, 3, 1], pages.Select(p => p.Count));
        Assert.Equal(await ExpectedAsync(recent), pages.SelectMany(p => p));
    }

    [Fact]
    public async Task Without_a_limit_all_is_paged_at_the_default_size()
    {
        var agent = _catalog.Register();
        await SeedAsync(Enumerable.Range(0, ResultsApi.DefaultLimit + 1).Select(i => NewExecution(agent, Guid.NewGuid(), "1.0", Start.AddSeconds(i))));

        using var first = await GetAsync($"/benchmarks/agents/{agent}/results?timeframe=all");
        var cursor = first.RootElement.GetProperty("next_cursor").GetString();
        using var second = await GetAsync($"/benchmarks/agents/{agent}/results?timeframe=all&cursor={cursor}");

        Assert.Equal(ResultsApi.DefaultLimit, first.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal(1, second.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Latest_is_answered_whole_one_execution_per_benchmark_and_version_without_a_cursor()
    {
        var agent = _catalog.Register();
        var benchmarks = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        // Three executions of each benchmark in each of two versions: latest keeps the newest of each pair.
        var seeded = await SeedAsync(
            from version in new[] { "1.0", "2.0" }
            from benchmark in benchmarks
            from i in Enumerable.Range(0, 3)
            select NewExecution(agent, benchmark, version, Start.AddHours(i)));

        using var latest = await GetAsync($"/benchmarks/agents/{agent}/results");

        var results = latest.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(8, results.Count);
        Assert.All(results, r => Assert.Equal(Start.AddHours(2), r.GetProperty("created_at").GetDateTimeOffset()));
        Assert.Equal(8, results.Select(r => (r.GetProperty("benchmark_id").GetGuid(), r.GetProperty("agent_version").GetString())).Distinct().Count());
        Assert.Equal(JsonValueKind.Null, latest.RootElement.GetProperty("next_cursor").ValueKind);
        Assert.Equal(24, seeded.Count);
    }

    [Theory]
    [InlineData("timeframe=all&limit=0", "limit")]
    [InlineData("timeframe=all&limit=501", "limit")]
    [InlineData("timeframe=30d&limit=many", "limit")]
    [InlineData("timeframe=all&cursor=eyJ0IjoxfQ", "cursor")]
    [InlineData("limit=10", "limit")]
    [InlineData("timeframe=latest&cursor=x", "cursor")]
    public async Task Bad_paging_values_are_400_field_errors(string query, string field)
    {
        using var response = await _client.GetAsync($"/benchmarks/agents/{_catalog.Register()}/results?{query}");

        await AssertFieldErrorAsync(response, field);
    }

    [Fact]
    public async Task A_tampered_cursor_or_one_of_another_list_is_a_400_field_error()
    {
        var agent = _catalog.Register();
        await SeedAsync(Enumerable.Range(0, 3).Select(i => NewExecution(agent, Guid.NewGuid(), "1.0", Start.AddSeconds(i))));
        using var first = await GetAsync($"/benchmarks/agents/{agent}/results?timeframe=all&limit=1");
        var cursor = first.RootElement.GetProperty("next_cursor").GetString()!;
        var tampered = cursor[..30] + (cursor[30] == 'Q' ? 'R' : 'Q') + cursor[31..];
        var runsCursor = KeysetCursor.Decode(ResultsApi.CursorList, cursor)!.Value.Encode("runner.runs");

        using var good = await _client.GetAsync($"/benchmarks/agents/{agent}/results?timeframe=all&limit=1&cursor={cursor}");
        using var bad = await _client.GetAsync($"/benchmarks/agents/{agent}/results?timeframe=all&cursor={tampered}");
        using var foreign = await _client.GetAsync($"/benchmarks/agents/{agent}/results?timeframe=all&cursor={runsCursor}");

        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        await AssertFieldErrorAsync(bad, "cursor");
        await AssertFieldErrorAsync(foreign, "cursor");
    }

    private static BenchmarkExecution NewExecution(Guid agent, Guid benchmark, string version, DateTimeOffset createdAt, Guid? suite = null) => new()
    {
        ExecutionId = Guid.NewGuid(),
        RunId = Guid.NewGuid(),
        AgentId = agent,
        AgentName = "support-bot",
        AgentVersion = version,
        SuiteId = suite ?? Guid.NewGuid(),
        SuiteCategory = "qa",
        BenchmarkId = benchmark,
        BenchmarkName = "arithmetic",
        BenchmarkCategory = "qa",
        StartTime = createdAt.AddSeconds(-5),
        EndTime = createdAt,
        Status = "success",
        Metrics = "{}",
        WorkerId = "worker-1",
        CreatedAt = createdAt,
    };

    private async Task<List<Guid>> SeedAsync(IEnumerable<BenchmarkExecution> executions)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        var list = executions.ToList();
        db.BenchmarkExecutions.AddRange(list);
        await db.SaveChangesAsync();
        return list.Select(e => e.ExecutionId).ToList();
    }

    /// <summary>The executions' ids in the list's order, read from the database: newest first, ties by id descending.</summary>
    private async Task<List<Guid>> ExpectedAsync(IReadOnlyCollection<Guid> ids)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        var rows = await db.BenchmarkExecutions.AsNoTracking().Where(e => ids.Contains(e.ExecutionId)).Select(e => new { e.ExecutionId, e.CreatedAt }).ToListAsync();
        Assert.Equal(ids.Count, rows.Count);
        // PostgreSQL orders uuids by their bytes, which is the order of their lower-case text.
        return rows.OrderByDescending(r => r.CreatedAt)
            .ThenByDescending(r => r.ExecutionId.ToString("D"), StringComparer.Ordinal)
            .Select(r => r.ExecutionId).ToList();
    }

    private async Task<List<List<Guid>>> PageAsync(string path)
    {
        var pages = new List<List<Guid>>();
        string? cursor = null;
        do
        {
            using var page = await GetAsync(cursor is null ? path : $"{path}&cursor={cursor}");
            pages.Add(page.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList());
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
            Assert.True(pages.Count < 100, "the pages never end");
        }
        while (cursor is not null);

        return pages;
    }

    private async Task<JsonDocument> GetAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([field], problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }
}
