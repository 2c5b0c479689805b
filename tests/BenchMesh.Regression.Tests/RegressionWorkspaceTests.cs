using System.Net;
using System.Text.Json;
using BenchMesh.Regression.Data;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace BenchMesh.Regression.Tests;

/// <summary>
/// Regression per workspace: RegressionDetected names the agent's workspace, a workspace reads none of another's
/// reports or regressions (404 as for an unknown id), and <c>GET /benchmarks/regressions</c> lists its own, newest
/// first, filtered and paged. Each test uses workspaces of its own, so tests sharing the service do not see each other.
/// </summary>
public sealed class RegressionWorkspaceTests(RegressionServiceFixture service) : IClassFixture<RegressionServiceFixture>
{
    private const string Exchange = "BenchMesh.Contracts.Regression:RegressionDetected";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset T = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly string _workspaceA = "team-a-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _workspaceB = "team-b-" + Guid.NewGuid().ToString("N")[..8];

    private HttpClient Client(string workspace) => service.App.CreateClient().WithCaller(workspace);

    [Fact]
    public async Task RegressionDetected_and_the_stored_regression_carry_the_agents_workspace()
    {
        await using var probe = await ExchangeProbe.BindAsync(service.RabbitMqUri, Exchange);
        var bus = service.App.Services.GetRequiredService<IBus>();
        var agentId = Guid.NewGuid();
        var benchmarkId = Guid.NewGuid();

        var v1 = Executions.Scored(agentId, "1.0", benchmarkId, "arithmetic", Executions.Start, latencyMs: 30.1) with { WorkspaceId = _workspaceA };
        await bus.Publish(v1);
        await Eventually.TrueAsync(
            () => service.WithDbAsync(db => db.VersionResults.AnyAsync(r => r.ExecutionId == v1.ExecutionId)), Timeout, "v1 to be stored");
        await bus.Publish(Executions.Scored(agentId, "2.0", benchmarkId, "arithmetic", Executions.Start.AddHours(1), latencyMs: 92.4) with { WorkspaceId = _workspaceA });

        var received = await probe.NextAsync(Timeout, "RegressionDetected for version 2.0");
        Assert.Equal(agentId, received.Message.GetProperty("agentId").GetGuid());
        Assert.Equal(_workspaceA, received.Message.GetProperty("workspaceId").GetString());
        var stored = await service.WithDbAsync(db => db.Regressions.SingleAsync(r => r.AgentId == agentId));
        Assert.Equal(_workspaceA, stored.WorkspaceId);

        // Listed for its workspace, and for no other.
        using var listA = await ListAsync(Client(_workspaceA), "");
        using var listB = await ListAsync(Client(_workspaceB), "");
        Assert.Equal([stored.RegressionId], Ids(listA));
        Assert.Equal(_workspaceA, listA.RootElement.GetProperty("regressions")[0].GetProperty("workspace_id").GetString());
        Assert.Empty(Ids(listB));
    }

    [Fact]
    public async Task Another_workspaces_agent_report_is_404_with_the_body_of_an_unknown_agent()
    {
        var agentA = Guid.NewGuid();
        var benchmark = Guid.NewGuid();
        await service.WithDbAsync(async db =>
        {
            db.VersionResults.AddRange(
                Executions.Row(Executions.Scored(agentA, "1.0", benchmark, "arithmetic", T) with { WorkspaceId = _workspaceA }),
                Executions.Row(Executions.Scored(agentA, "1.1", benchmark, "arithmetic", T.AddHours(1)) with { WorkspaceId = _workspaceA }));
            await db.SaveChangesAsync();
        });
        var registeredB = service.Catalog.Register(workspaceId: _workspaceB);
        var unknown = Guid.NewGuid();

        using var own = await Client(_workspaceA).GetAsync($"/benchmarks/agents/{agentA}/regressions");
        using var fromB = await Client(_workspaceB).GetAsync($"/benchmarks/agents/{agentA}/regressions");
        using var unknownFromB = await Client(_workspaceB).GetAsync($"/benchmarks/agents/{unknown}/regressions");
        using var registeredFromA = await Client(_workspaceA).GetAsync($"/benchmarks/agents/{registeredB}/regressions");
        using var registeredFromB = await Client(_workspaceB).GetAsync($"/benchmarks/agents/{registeredB}/regressions");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, registeredFromB.StatusCode); // registered, nothing scored yet: an empty report
        await NotFoundProblems.AssertSameAsync(fromB, agentA, unknownFromB, unknown);
        await NotFoundProblems.AssertSameAsync(registeredFromA, registeredB, unknownFromB, unknown);
    }

    [Fact]
    public async Task The_list_is_the_workspaces_regressions_newest_first_paged_without_loss_or_repeat()
    {
        var seeded = await SeedListAsync();
        var expected = seeded.Where(r => r.WorkspaceId == _workspaceA)
            .OrderByDescending(r => r.DetectedAt)
            // PostgreSQL orders uuids by their bytes, which is the order of their lower-case text.
            .ThenByDescending(r => r.RegressionId.ToString("D"), StringComparer.Ordinal)
            .Select(r => r.RegressionId).ToList();

        var pages = await PagesAsync(Client(_workspaceA), "limit=4");

        Assert.Equal([4, 4, 4, 2], pages.Select(p => p.Count));
        Assert.Equal(expected, pages.SelectMany(p => p));
    }

    [Fact]
    public async Task Filters_narrow_the_list_and_keep_to_the_workspace()
    {
        var seeded = await SeedListAsync();
        var a = seeded.Where(r => r.WorkspaceId == _workspaceA).ToList();
        var agentOfA = a[0].AgentId;
        var agentOfB = seeded.First(r => r.WorkspaceId == _workspaceB).AgentId;
        var client = Client(_workspaceA);

        Assert.Equal(Expected(a.Where(r => r.Severity == "critical")), await AllAsync(client, "severity=critical"));
        Assert.Equal(Expected(a.Where(r => r.Metric == "accuracy")), await AllAsync(client, "metric=accuracy"));
        Assert.Equal(Expected(a.Where(r => r.AgentId == agentOfA)), await AllAsync(client, $"agent_id={agentOfA}"));
        Assert.Equal(Expected(a.Where(r => r.DetectedAt >= T.AddHours(6))), await AllAsync(client, "since=2026-11-20T14:00:00Z&limit=2"));
        Assert.Equal(
            Expected(a.Where(r => r.Severity == "major" && r.Metric == "latency_ms" && r.DetectedAt >= T.AddHours(3))),
            await AllAsync(client, "severity=major&metric=latency_ms&since=2026-11-20T11:00:00Z"));
        // Another workspace's agent matches nothing.
        Assert.Empty(await AllAsync(client, $"agent_id={agentOfB}"));
    }

    [Theory]
    [InlineData("severity=fatal", "severity")]
    [InlineData("metric=speed", "metric")]
    [InlineData("agent_id=42", "agent_id")]
    [InlineData("since=yesterday", "since")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("cursor=eyJ0IjoxfQ", "cursor")]
    public async Task Bad_list_values_are_400_field_errors(string query, string field)
    {
        using var response = await Client(_workspaceA).GetAsync($"/benchmarks/regressions?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([field], problem.RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Theory]
    [InlineData("/benchmarks/regressions")]
    [InlineData("/benchmarks/agents/0b1c7ad0-1111-4111-8111-000000000001/regressions")]
    public async Task Without_a_caller_the_routes_are_a_401_problem(string path)
    {
        using var response = await service.App.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
    }

    /// <summary>
    /// 14 regressions of workspace A (three agents, every severity, three metrics; four share one detected_at so that the
    /// id breaks the tie at a page edge) and 5 of workspace B, written straight into the table.
    /// </summary>
    private async Task<List<RegressionRecord>> SeedListAsync()
    {
        var agentsA = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        var agentB = Guid.NewGuid();
        string[] severities = ["minor", "major", "critical"];
        string[] metrics = ["accuracy", "latency_ms", "cost_per_task_usd"];
        var rows = Enumerable.Range(0, 14)
            .Select(i => Record(_workspaceA, agentsA[i % 3], severities[i % 3], metrics[i / 3 % 3], T.AddHours(i < 4 ? 2 : i)))
            .Concat(Enumerable.Range(0, 5).Select(i => Record(_workspaceB, agentB, "critical", "accuracy", T.AddHours(i))))
            .ToList();
        await service.WithDbAsync(async db =>
        {
            db.Regressions.AddRange(rows);
            await db.SaveChangesAsync();
        });
        return rows;
    }

    private static RegressionRecord Record(string workspace, Guid agentId, string severity, string metric, DateTimeOffset detectedAt) => new()
    {
        RegressionId = Guid.NewGuid(),
        ExecutionId = Guid.NewGuid(),
        BaselineExecutionId = Guid.NewGuid(),
        RunId = Guid.NewGuid(),
        AgentId = agentId,
        AgentName = "support-bot",
        WorkspaceId = workspace,
        SuiteId = Guid.NewGuid(),
        BenchmarkId = Guid.NewGuid(),
        BenchmarkName = "arithmetic",
        CandidateVersion = "2.0",
        BaselineVersion = "1.0",
        BlamedVersion = "2.0",
        Metric = metric,
        Direction = metric == "accuracy" ? "higher_is_better" : "lower_is_better",
        BaselineValue = 1,
        CurrentValue = 2,
        RegressionPercentage = 1,
        Threshold = 0.05,
        Severity = severity,
        Detector = "benchmesh-engine",
        Path = "gate",
        ImpactAnalysis = "slower",
        DetectedAt = detectedAt,
    };

    private static List<Guid> Expected(IEnumerable<RegressionRecord> rows) => rows
        .OrderByDescending(r => r.DetectedAt).ThenByDescending(r => r.RegressionId.ToString("D"), StringComparer.Ordinal)
        .Select(r => r.RegressionId).ToList();

    private static List<Guid> Ids(JsonDocument page) =>
        page.RootElement.GetProperty("regressions").EnumerateArray().Select(r => r.GetProperty("regression_id").GetGuid()).ToList();

    private static async Task<JsonDocument> ListAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/benchmarks/regressions?{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text);
    }

    private static async Task<List<Guid>> AllAsync(HttpClient client, string query) => (await PagesAsync(client, query)).SelectMany(p => p).ToList();

    private static async Task<List<List<Guid>>> PagesAsync(HttpClient client, string query)
    {
        var pages = new List<List<Guid>>();
        string? cursor = null;
        do
        {
            using var page = await ListAsync(client, cursor is null ? query : $"{query}&cursor={cursor}");
            pages.Add(Ids(page));
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
            Assert.True(pages.Count < 100, "the pages never end");
        }
        while (cursor is not null);

        return pages;
    }
}
