using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Runner.Apis;
using BenchMesh.Runner.Data;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Runner.Tests;

/// <summary>One Runner on its own database for the list tests, which write their runs straight into it.</summary>
public sealed class RunListFixture : IAsyncLifetime
{
    private readonly Infrastructure _infrastructure = new();

    public RunnerHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _infrastructure.InitializeAsync();
        Host = await RunnerHost.StartAsync(_infrastructure, "runlist");
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _infrastructure.DisposeAsync();
    }
}

/// <summary>
/// <c>GET /benchmarks/runs</c> on a real PostgreSQL: filters, newest first, and cursor paging that neither repeats nor
/// skips a run, runs written in the same microsecond and runs written between two pages included.
/// </summary>
public sealed class RunListTests(RunListFixture fixture) : IClassFixture<RunListFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _http = fixture.Host.CreateClient().WithCaller();

    [Fact]
    public async Task Paging_through_more_runs_than_a_page_returns_each_once_newest_first_with_ties_broken_by_id()
    {
        var agent = Guid.NewGuid();
        // 23 runs, three at a time sharing one created_at to the microsecond: ties are ordered by run id.
        var seeded = await SeedAsync(Enumerable.Range(0, 23).Select(i => NewRun(agent, Guid.NewGuid(), RunStatuses.Completed, Start.AddMinutes(i / 3))));

        var pages = await PageAsync($"/benchmarks/runs?agent_id={agent}&limit=5");

        Assert.Equal([5, 5, 5, 5, 3], pages.Select(p => p.Count));
        Assert.Equal(Expected(seeded), pages.SelectMany(p => p).Select(r => r.GetProperty("run_id").GetGuid()));
    }

    [Fact]
    public async Task Runs_written_between_two_pages_neither_shift_nor_repeat_the_rest()
    {
        var agent = Guid.NewGuid();
        var seeded = await SeedAsync(Enumerable.Range(0, 6).Select(i => NewRun(agent, Guid.NewGuid(), RunStatuses.Completed, Start.AddMinutes(i))));

        using var first = await GetAsync($"/benchmarks/runs?agent_id={agent}&limit=4");
        var cursor = first.RootElement.GetProperty("next_cursor").GetString();
        // A newer run and one in the middle of the first page's span arrive before the second page is read.
        await SeedAsync([NewRun(agent, Guid.NewGuid(), RunStatuses.Queued, Start.AddHours(1)), NewRun(agent, Guid.NewGuid(), RunStatuses.Queued, Start.AddMinutes(4.5))]);
        using var second = await GetAsync($"/benchmarks/runs?agent_id={agent}&limit=4&cursor={cursor}");

        var ids = Ids(first).Concat(Ids(second)).ToList();
        Assert.Equal(Expected(seeded), ids);
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task The_filters_select_by_agent_suite_status_and_request_time()
    {
        var (agent, other) = (Guid.NewGuid(), Guid.NewGuid());
        var (suite, otherSuite) = (Guid.NewGuid(), Guid.NewGuid());
        var runs = await SeedAsync(
        [
            NewRun(agent, suite, RunStatuses.Completed, Start.AddDays(1)),
            NewRun(agent, suite, RunStatuses.Failed, Start.AddDays(2)),
            NewRun(agent, otherSuite, RunStatuses.Running, Start.AddDays(3)),
            NewRun(agent, suite, RunStatuses.Queued, Start.AddDays(4)),
            NewRun(other, suite, RunStatuses.Completed, Start.AddDays(2)),
        ]);

        Assert.Equal([runs[3], runs[1], runs[0]], await IdsAsync($"agent_id={agent}&suite_id={suite}"));
        Assert.Equal([runs[4], runs[0]], await IdsAsync($"suite_id={suite}&status=completed"));
        Assert.Equal([runs[2]], await IdsAsync($"agent_id={agent}&status=RUNNING"));
        // since is inclusive, until exclusive; a date alone is midnight UTC.
        Assert.Equal([runs[2], runs[1]], await IdsAsync($"agent_id={agent}&since=2026-11-03T08:00:00Z&until=2026-11-04T08:00:00.000001Z"));
        Assert.Equal([runs[3], runs[2]], await IdsAsync($"agent_id={agent}&since=2026-11-04"));
        Assert.Equal([runs[0]], await IdsAsync($"agent_id={agent}&until=2026-11-03T09:00:00%2B01:00"));
        Assert.Empty(await IdsAsync($"agent_id={Guid.NewGuid()}"));
    }

    [Fact]
    public async Task A_summary_carries_the_counts_the_score_the_times_and_the_link()
    {
        var agent = Guid.NewGuid();
        var run = NewRun(agent, Guid.NewGuid(), RunStatuses.Failed, Start);
        run.TotalBenchmarks = 3;
        run.CompletedBenchmarks = 3;
        run.OverallScore = 0.5;
        run.StartedAt = Start.AddSeconds(1);
        run.CompletedAt = Start.AddSeconds(9);
        run.Benchmarks.AddRange(new[] { "completed", "failed", "failed" }.Select((status, i) => new RunBenchmarkEntry
        {
            ExecutionId = Guid.NewGuid(), RunId = run.RunId, BenchmarkId = Guid.NewGuid(), BenchmarkName = $"b{i}", Position = i, Status = status,
        }));
        await SeedAsync([run]);

        using var page = await GetAsync($"/benchmarks/runs?agent_id={agent}");

        var summary = Assert.Single(page.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(run.RunId, summary.GetProperty("run_id").GetGuid());
        Assert.Equal(run.SuiteId, summary.GetProperty("suite_id").GetGuid());
        Assert.Equal("bot", summary.GetProperty("agent_name").GetString());
        Assert.Equal("1.0", summary.GetProperty("agent_version").GetString());
        Assert.Equal("failed", summary.GetProperty("status").GetString());
        Assert.Equal(3, summary.GetProperty("progress").GetProperty("total_benchmarks").GetInt32());
        Assert.Equal(3, summary.GetProperty("progress").GetProperty("completed_benchmarks").GetInt32());
        Assert.Equal(2, summary.GetProperty("progress").GetProperty("failed_benchmarks").GetInt32());
        Assert.Equal(0.5, summary.GetProperty("overall_score").GetDouble());
        Assert.Equal(Start, summary.GetProperty("created_at").GetDateTimeOffset());
        Assert.Equal(Start.AddSeconds(9), summary.GetProperty("completed_at").GetDateTimeOffset());
        Assert.Equal($"/benchmarks/runs/{run.RunId}", summary.GetProperty("status_url").GetString());
        using var full = await GetAsync(summary.GetProperty("status_url").GetString()!);
        Assert.Equal(run.RunId, full.RootElement.GetProperty("run_id").GetGuid());
    }

    [Fact]
    public async Task Without_a_limit_a_page_holds_the_default_number_of_runs()
    {
        var agent = Guid.NewGuid();
        await SeedAsync(Enumerable.Range(0, RunListApi.DefaultLimit + 1).Select(i => NewRun(agent, Guid.NewGuid(), RunStatuses.Completed, Start.AddSeconds(i))));

        using var page = await GetAsync($"/benchmarks/runs?agent_id={agent}");

        Assert.Equal(RunListApi.DefaultLimit, Ids(page).Count());
        Assert.Equal(JsonValueKind.String, page.RootElement.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("cursor=garbage", "cursor")]
    [InlineData("agent_id=42", "agent_id")]
    [InlineData("suite_id=x", "suite_id")]
    [InlineData("status=done", "status")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2026-11-02&until=2026-11-01", "until")]
    public async Task Bad_query_values_are_400_field_errors(string query, string field)
    {
        using var response = await _http.GetAsync($"/benchmarks/runs?{query}");

        await AssertFieldErrorAsync(response, field);
    }

    [Fact]
    public async Task A_tampered_cursor_or_one_of_another_list_is_a_400_field_error()
    {
        var agent = Guid.NewGuid();
        await SeedAsync(Enumerable.Range(0, 3).Select(i => NewRun(agent, Guid.NewGuid(), RunStatuses.Completed, Start.AddSeconds(i))));
        using var first = await GetAsync($"/benchmarks/runs?agent_id={agent}&limit=1");
        var cursor = first.RootElement.GetProperty("next_cursor").GetString()!;
        var tampered = cursor[..10] + (cursor[10] == 'A' ? 'B' : 'A') + cursor[11..];
        var otherList = KeysetCursor.Decode(RunListApi.CursorList, cursor)!.Value.Encode("stress.runs");

        using var good = await _http.GetAsync($"/benchmarks/runs?agent_id={agent}&limit=1&cursor={cursor}");
        using var bad = await _http.GetAsync($"/benchmarks/runs?agent_id={agent}&limit=1&cursor={tampered}");
        using var foreign = await _http.GetAsync($"/benchmarks/runs?agent_id={agent}&limit=1&cursor={otherList}");

        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        await AssertFieldErrorAsync(bad, "cursor");
        await AssertFieldErrorAsync(foreign, "cursor");
    }

    [Fact]
    public async Task A_workspace_lists_only_its_own_runs_whatever_the_filters()
    {
        var agent = Guid.NewGuid();
        var (mine, theirs) = ($"ws-{Guid.NewGuid():N}", $"ws-{Guid.NewGuid():N}");
        var own = await SeedAsync(Enumerable.Range(0, 3).Select(i => NewRun(agent, Guid.NewGuid(), RunStatuses.Completed, Start.AddMinutes(i), mine)));
        await SeedAsync(Enumerable.Range(0, 3).Select(i => NewRun(agent, Guid.NewGuid(), RunStatuses.Completed, Start.AddMinutes(i), theirs)));
        using var http = fixture.Host.CreateClient().WithCaller(mine);

        foreach (var query in new[] { "", $"?agent_id={agent}", "?status=completed", "?limit=2" })
        {
            var ids = new List<Guid>();
            string? cursor = null;
            do
            {
                var separator = query.Length == 0 ? "?" : "&";
                var page = await http.GetFromJsonAsync<JsonElement>($"/benchmarks/runs{query}{(cursor is null ? "" : $"{separator}cursor={cursor}")}");
                ids.AddRange(page.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run_id").GetGuid()));
                cursor = page.GetProperty("next_cursor").GetString();
            }
            while (cursor is not null);

            Assert.Equal(Expected(own), ids);
        }
    }

    private static Run NewRun(Guid agent, Guid suite, string status, DateTimeOffset createdAt, string workspaceId = Callers.DefaultWorkspace) => new()
    {
        RunId = Guid.NewGuid(),
        WorkspaceId = workspaceId,
        AgentId = agent,
        AgentName = "bot",
        AgentVersion = "1.0",
        SuiteId = suite,
        ConfigurationJson = "{}",
        Status = status,
        TotalBenchmarks = 1,
        CreatedAt = createdAt,
    };

    private async Task<List<Guid>> SeedAsync(IEnumerable<Run> runs)
    {
        using var scope = fixture.Host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RunnerDbContext>();
        var list = runs.ToList();
        db.Runs.AddRange(list);
        await db.SaveChangesAsync();
        return list.Select(r => r.RunId).ToList();
    }

    /// <summary>The runs' ids in the list's order, read from the database: newest first, ties by id descending.</summary>
    private List<Guid> Expected(IReadOnlyCollection<Guid> ids)
    {
        using var scope = fixture.Host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RunnerDbContext>();
        var rows = db.Runs.AsNoTracking().Where(r => ids.Contains(r.RunId)).Select(r => new { r.RunId, r.CreatedAt }).ToList();
        Assert.Equal(ids.Count, rows.Count);
        // PostgreSQL orders uuids by their bytes, which is the order of their lower-case text.
        return rows.OrderByDescending(r => r.CreatedAt)
            .ThenByDescending(r => r.RunId.ToString("D"), StringComparer.Ordinal)
            .Select(r => r.RunId).ToList();
    }

    private async Task<List<List<JsonElement>>> PageAsync(string path)
    {
        var pages = new List<List<JsonElement>>();
        string? cursor = null;
        do
        {
            using var page = await GetAsync(cursor is null ? path : $"{path}&cursor={cursor}");
            pages.Add(page.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.Clone()).ToList());
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
            Assert.True(pages.Count < 100, "the pages never end");
        }
        while (cursor is not null);

        return pages;
    }

    private async Task<List<Guid>> IdsAsync(string query)
    {
        using var page = await GetAsync($"/benchmarks/runs?{query}");
        return Ids(page).ToList();
    }

    private static IEnumerable<Guid> Ids(JsonDocument page) =>
        page.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run_id").GetGuid());

    private async Task<JsonDocument> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }
}
