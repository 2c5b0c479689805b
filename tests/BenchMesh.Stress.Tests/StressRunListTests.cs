using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.ServiceDefaults;
using BenchMesh.Stress.Apis;
using BenchMesh.Stress.Data;
using BenchMesh.Testing;
using Microsoft.EntityFrameworkCore;

namespace BenchMesh.Stress.Tests;

/// <summary>
/// <c>GET /stress/runs</c> on a real PostgreSQL: filters, newest first, and cursor paging that neither repeats nor skips
/// a run, runs written in the same microsecond included. The runs are written straight into the service's database.
/// </summary>
public sealed class StressRunListTests(StressServiceFixture service) : IClassFixture<StressServiceFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _http = service.App.CreateClient().WithCaller();

    [Fact]
    public async Task Paging_through_more_runs_than_a_page_returns_each_once_newest_first_with_ties_broken_by_id()
    {
        var agent = Guid.NewGuid();
        // 17 runs, four at a time sharing one created_at to the microsecond: ties are ordered by id.
        var seeded = await SeedAsync(Enumerable.Range(0, 17).Select(i => NewRun(agent, "high_load", StressRunStatuses.Completed, Start.AddMinutes(i / 4))));

        var pages = await PageAsync($"/stress/runs?agent_id={agent}&limit=4");

        Assert.Equal([4, 4, 4, 4, 1], pages.Select(p => p.Count));
        Assert.Equal(await ExpectedAsync(seeded), pages.SelectMany(p => p));
    }

    [Fact]
    public async Task The_filters_select_by_agent_scenario_status_and_request_time()
    {
        var (agent, other) = (Guid.NewGuid(), Guid.NewGuid());
        var runs = await SeedAsync(
        [
            NewRun(agent, "high_load", StressRunStatuses.Completed, Start.AddDays(1)),
            NewRun(agent, "spike", StressRunStatuses.Failed, Start.AddDays(2)),
            NewRun(agent, "high_load", StressRunStatuses.Running, Start.AddDays(3)),
            NewRun(other, "high_load", StressRunStatuses.Completed, Start.AddDays(2)),
        ]);

        Assert.Equal([runs[2], runs[1], runs[0]], await IdsAsync($"agent_id={agent}"));
        Assert.Equal([runs[2], runs[0]], await IdsAsync($"agent_id={agent}&scenario=high_load"));
        Assert.Equal([runs[1]], await IdsAsync($"agent_id={agent}&status=failed"));
        // Every agent's, in a window no other test writes in: since inclusive, until exclusive.
        Assert.Equal([runs[3], runs[0]], await IdsAsync("status=completed&since=2026-11-02T08:00:00Z&until=2026-11-03T08:00:00.000001Z"));
        Assert.Equal([runs[2], runs[1]], await IdsAsync($"agent_id={agent}&since=2026-11-03T08:00:00Z"));
    }

    [Fact]
    public async Task A_summary_carries_the_counts_the_times_and_the_link()
    {
        var agent = Guid.NewGuid();
        var run = NewRun(agent, "spike", StressRunStatuses.Failed, Start);
        run.Workers = 2;
        run.RequestsCompleted = 1234;
        run.Error = "share 2 did not report";
        run.StartedAt = Start.AddSeconds(2);
        run.CompletedAt = Start.AddSeconds(40);
        await SeedAsync([run]);

        using var page = await GetAsync($"/stress/runs?agent_id={agent}");

        var summary = Assert.Single(page.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(run.StressRunId, summary.GetProperty("stress_run_id").GetGuid());
        Assert.Equal("spike", summary.GetProperty("scenario").GetString());
        Assert.Equal("failed", summary.GetProperty("status").GetString());
        Assert.Equal(2, summary.GetProperty("workers").GetInt32());
        Assert.Equal(1234, summary.GetProperty("requests_completed").GetInt64());
        Assert.Equal("share 2 did not report", summary.GetProperty("error").GetString());
        Assert.Equal(Start.AddSeconds(40), summary.GetProperty("completed_at").GetDateTimeOffset());
        Assert.Equal($"/stress/runs/{run.StressRunId}", summary.GetProperty("status_url").GetString());
        Assert.Equal(JsonValueKind.Null, page.RootElement.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=AAAA", "cursor")]
    [InlineData("agent_id=nope", "agent_id")]
    [InlineData("scenario=meltdown", "scenario")]
    [InlineData("status=queued", "status")]
    [InlineData("until=2026-11-01T08:00:00", "until")]
    public async Task Bad_query_values_are_400_field_errors(string query, string field)
    {
        using var response = await _http.GetAsync($"/stress/runs?{query}");

        await AssertFieldErrorAsync(response, field);
    }

    [Fact]
    public async Task A_tampered_cursor_or_one_of_another_list_is_a_400_field_error()
    {
        var agent = Guid.NewGuid();
        await SeedAsync(Enumerable.Range(0, 3).Select(i => NewRun(agent, "spike", StressRunStatuses.Completed, Start.AddSeconds(i))));
        using var first = await GetAsync($"/stress/runs?agent_id={agent}&limit=1");
        var cursor = first.RootElement.GetProperty("next_cursor").GetString()!;
        var tampered = cursor[..20] + (cursor[20] == 'x' ? 'y' : 'x') + cursor[21..];
        var runnerCursor = KeysetCursor.Decode(StressListApi.CursorList, cursor)!.Value.Encode("runner.runs");

        using var bad = await _http.GetAsync($"/stress/runs?agent_id={agent}&cursor={tampered}");
        using var foreign = await _http.GetAsync($"/stress/runs?agent_id={agent}&cursor={runnerCursor}");

        await AssertFieldErrorAsync(bad, "cursor");
        await AssertFieldErrorAsync(foreign, "cursor");
    }

    private static StressRun NewRun(
        Guid agent, string scenario, string status, DateTimeOffset createdAt, string workspace = Callers.DefaultWorkspace) => new()
    {
        StressRunId = Guid.NewGuid(),
        WorkspaceId = workspace,
        AgentId = agent,
        AgentName = "target",
        AgentVersion = "1.0",
        Scenario = scenario,
        Status = status,
        ParametersJson = "{}",
        CreatedAt = createdAt,
        // Another instance's run with a heartbeat far ahead: the supervisor's sweep for abandoned runs leaves it alone.
        Owner = "elsewhere",
        HeartbeatAt = DateTimeOffset.UtcNow.AddDays(1),
    };

    private Task<List<Guid>> SeedAsync(IEnumerable<StressRun> runs) => service.WithDbAsync(async db =>
    {
        var list = runs.ToList();
        db.StressRuns.AddRange(list);
        await db.SaveChangesAsync();
        return list.Select(r => r.StressRunId).ToList();
    });

    /// <summary>The runs' ids in the list's order, read from the database: newest first, ties by id descending.</summary>
    private Task<List<Guid>> ExpectedAsync(IReadOnlyCollection<Guid> ids) => service.WithDbAsync(async db =>
    {
        var rows = await db.StressRuns.AsNoTracking().Where(r => ids.Contains(r.StressRunId)).Select(r => new { r.StressRunId, r.CreatedAt }).ToListAsync();
        Assert.Equal(ids.Count, rows.Count);
        // PostgreSQL orders uuids by their bytes, which is the order of their lower-case text.
        return rows.OrderByDescending(r => r.CreatedAt)
            .ThenByDescending(r => r.StressRunId.ToString("D"), StringComparer.Ordinal)
            .Select(r => r.StressRunId).ToList();
    });

    private async Task<List<List<Guid>>> PageAsync(string path)
    {
        var pages = new List<List<Guid>>();
        string? cursor = null;
        do
        {
            using var page = await GetAsync(cursor is null ? path : $"{path}&cursor={cursor}");
            pages.Add(Ids(page).ToList());
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
            Assert.True(pages.Count < 100, "the pages never end");
        }
        while (cursor is not null);

        return pages;
    }

    private async Task<List<Guid>> IdsAsync(string query)
    {
        using var page = await GetAsync($"/stress/runs?{query}");
        return Ids(page).ToList();
    }

    private static IEnumerable<Guid> Ids(JsonDocument page) =>
        page.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("stress_run_id").GetGuid());

    private async Task<JsonDocument> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }
}
