using System.Net;
using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Scoring.Data;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BenchMesh.Scoring.Tests;

/// <summary>
/// The cost analysis (§8.1) and the cross-agent frontier against a real PostgreSQL: executions are written to the
/// Scoring database as the consumer writes them, with figures chosen so that every expected value can be worked out
/// by hand (the arithmetic is written beside each assertion).
/// </summary>
public sealed class CostAnalysisTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private const string Big = """{"model": "gpt-big", "temperature": 0}""";
    private const string Small = """{"model": "gpt-small"}""";

    private WebApplicationFactory<ScoringDbContext> _factory = null!;
    private HttpClient _client = null!;
    private readonly RegisteredAgentsCatalog _catalog = new();
    private readonly Guid _suite = Guid.NewGuid();
    private readonly Guid _benchA = Guid.NewGuid();
    private readonly Guid _benchB = Guid.NewGuid();

    public async Task InitializeAsync()
    {
        var database = infra.CreateDatabase("scoring_cost");
        var vhost = await infra.CreateVirtualHostAsync("scoring_cost");
        _factory = new WebApplicationFactory<ScoringDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:scoringdb", database);
            b.UseSetting("ConnectionStrings:rabbitmq", vhost);
            b.ConfigureTestServices(services => services.RemoveAll<ISuiteCatalog>().AddSingleton<ISuiteCatalog>(_catalog));
        });
        _client = _factory.CreateClient().WithCaller();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    /// <summary>
    /// Three configurations of one agent on two benchmarks (A: 10 tasks, B: 20 tasks), speed 0.5 everywhere:
    /// 2.0 (gpt-big, the current one) costs $0.50 on A and $0.80 on B, accuracy 0.9;
    /// 1.1 (gpt-small) costs $0.10 and $0.40, accuracy 0.88; 1.0 (gpt-big) costs $0.60 and $1.00, accuracy 0.8.
    /// </summary>
    private async Task<Guid> ThreeVersionsAsync()
    {
        var agent = Guid.NewGuid();
        await AddAsync(
            // An older, dearer 2.0 execution of A and a newer failed one: neither is the latest successful one.
            Row(agent, "2.0", Big, _benchA, "A", 0.90m, 10, 0, 0.9, 0.5, Day.AddDays(-1)),
            Row(agent, "2.0", Big, _benchA, "A", 0.50m, 10, 0, 0.9, 0.5, Day.AddHours(5)),
            Row(agent, "2.0", Big, _benchB, "B", 0.80m, 20, 0, 0.9, 0.5, Day.AddHours(5)),
            Row(agent, "2.0", Big, _benchA, "A", 0.05m, 0, 10, 0, 0, Day.AddHours(6), status: "failed"),
            Row(agent, "1.1", Small, _benchA, "A", 0.10m, 10, 0, 0.88, 0.5, Day.AddHours(3)),
            Row(agent, "1.1", Small, _benchB, "B", 0.40m, 20, 0, 0.88, 0.5, Day.AddHours(3)),
            Row(agent, "1.0", Big, _benchA, "A", 0.60m, 10, 0, 0.8, 0.5, Day),
            Row(agent, "1.0", Big, _benchB, "B", 1.00m, 20, 0, 0.8, 0.5, Day));
        return agent;
    }

    [Fact]
    public async Task A_cheaper_version_on_the_frontier_is_optimal_with_its_monthly_savings_worked_out_by_hand()
    {
        var agent = await ThreeVersionsAsync();

        using var body = await GetJsonAsync($"/benchmarks/agents/{agent}/cost-analysis?suite_id={_suite}");
        var root = body.RootElement;

        Assert.Equal(10_000, root.GetProperty("monthly_tasks").GetInt64()); // the default volume
        Assert.Equal("latest_successful", root.GetProperty("window").GetString());
        var current = root.GetProperty("current_configuration");
        Assert.Equal("2.0", current.GetProperty("agent_version").GetString());
        Assert.Equal("gpt-big", current.GetProperty("model_configuration").GetProperty("model").GetString());

        // cost per task = mean over A and B of cost / successful tasks:
        // 2.0: (0.50 / 10 + 0.80 / 20) / 2 = (0.05 + 0.04) / 2 = 0.045; 1.1: (0.01 + 0.02) / 2 = 0.015; 1.0: (0.06 + 0.05) / 2 = 0.055.
        // performance = mean of accuracy × speed: 2.0: 0.9 × 0.5 = 0.45; 1.1: 0.44; 1.0: 0.40.
        var configurations = root.GetProperty("configurations").EnumerateArray().ToDictionary(c => c.GetProperty("agent_version").GetString()!);
        Assert.Equal(0.045m, configurations["2.0"].GetProperty("cost_per_task_usd").GetDecimal());
        Assert.Equal(0.015m, configurations["1.1"].GetProperty("cost_per_task_usd").GetDecimal());
        Assert.Equal(0.055m, configurations["1.0"].GetProperty("cost_per_task_usd").GetDecimal());
        Assert.Equal(0.45, configurations["2.0"].GetProperty("performance").GetDouble(), 9);
        Assert.Equal(0.44, configurations["1.1"].GetProperty("performance").GetDouble(), 9);
        Assert.True(configurations["2.0"].GetProperty("is_current").GetBoolean());

        // 1.1 is the cheapest and 2.0 the best: both on the frontier. 1.0 costs more than 2.0 and performs worse.
        Assert.True(configurations["1.1"].GetProperty("on_frontier").GetBoolean());
        Assert.True(configurations["2.0"].GetProperty("on_frontier").GetBoolean());
        Assert.False(configurations["1.0"].GetProperty("on_frontier").GetBoolean());
        // 1.0: performance efficiency 0.40 / 0.45 (the best at ≤ $0.055); cost efficiency $0.015 / $0.055 (1.1 performs
        // at least as well for $0.015); efficiency = the smaller = 0.015 / 0.055 = 0.272727…
        Assert.Equal(0.40 / 0.45, configurations["1.0"].GetProperty("performance_efficiency").GetDouble(), 9);
        Assert.Equal(0.015 / 0.055, configurations["1.0"].GetProperty("efficiency_score").GetDouble(), 9);

        // Savings a month at 10,000 tasks against 2.0: 1.1 (0.045 − 0.015) × 10,000 = $300; 1.0 (0.045 − 0.055) × 10,000 = −$100.
        Assert.Equal(300m, configurations["1.1"].GetProperty("estimated_savings").GetDecimal());
        Assert.Equal(-100m, configurations["1.0"].GetProperty("estimated_savings").GetDecimal());

        // Optimal (efficiency > 0.8): 1.1 and 2.0, the largest saving first; 1.0 (0.27) is not.
        var optimal = root.GetProperty("optimal_configurations").EnumerateArray().ToList();
        Assert.Equal(["1.1", "2.0"], optimal.Select(o => o.GetProperty("configuration").GetProperty("agent_version").GetString()));
        Assert.Equal(1.0, optimal[0].GetProperty("efficiency_score").GetDouble(), 9);
        Assert.Equal(300m, optimal[0].GetProperty("estimated_savings").GetDecimal());
        Assert.Equal(0m, optimal[1].GetProperty("estimated_savings").GetDecimal());
        Assert.True(optimal[1].GetProperty("is_current").GetBoolean());

        // In words: 0.44 / 0.45 = 97.8 % of the performance at 0.015 / 0.045 = 33 % of the cost per task.
        var opportunity = Assert.Single(root.GetProperty("cost_optimization_opportunities").EnumerateArray());
        Assert.Equal("cheaper_configuration", opportunity.GetProperty("kind").GetString());
        Assert.Equal(
            "Version 1.1 (gpt-small) reaches 98 % of 2.0 (gpt-big)'s performance at 33 % of its cost per task ($0.015 vs $0.045): " +
            "about $300 a month saved at 10,000 tasks.",
            opportunity.GetProperty("description").GetString());
        Assert.Equal(300m, opportunity.GetProperty("monthly_savings_usd").GetDecimal());

        // The per-benchmark figures are the current configuration's latest successful executions (A: $0.50, not $0.90 or the failed one).
        var costPerTask = root.GetProperty("cost_per_task").EnumerateArray().ToList();
        Assert.Equal(["A", "B"], costPerTask.Select(c => c.GetProperty("benchmark_name").GetString()));
        Assert.Equal(0.05m, costPerTask[0].GetProperty("value").GetDecimal());
        Assert.Equal(0.04m, costPerTask[1].GetProperty("value").GetDecimal());
        // performance per dollar = accuracy × speed / the execution's cost_usd: 0.45 / 0.50 = 0.9 and 0.45 / 0.80 = 0.5625.
        var perDollar = root.GetProperty("performance_per_dollar").EnumerateArray().ToList();
        Assert.Equal(0.9, perDollar[0].GetProperty("value").GetDouble(), 9);
        Assert.Equal(0.5625, perDollar[1].GetProperty("value").GetDouble(), 9);
    }

    [Fact]
    public async Task Savings_scale_with_the_requested_monthly_volume()
    {
        var agent = await ThreeVersionsAsync();

        using var body = await GetJsonAsync($"/benchmarks/agents/{agent}/cost-analysis?monthly_tasks=2500");

        // (0.045 − 0.015) × 2,500 = $75.
        var optimal = body.RootElement.GetProperty("optimal_configurations")[0];
        Assert.Equal(2500, body.RootElement.GetProperty("monthly_tasks").GetInt64());
        Assert.Equal(75m, optimal.GetProperty("estimated_savings").GetDecimal());
        Assert.Contains("about $75.00 a month saved at 2,500 tasks",
            body.RootElement.GetProperty("cost_optimization_opportunities")[0].GetProperty("description").GetString());
    }

    [Fact]
    public async Task Cost_per_task_charges_failed_calls_to_the_successful_ones_and_a_benchmark_without_success_has_none()
    {
        var agent = Guid.NewGuid();
        var partly = Row(agent, "1.0", null, _benchA, "A", 0.16m, 8, 2, 0.7, 0.5, Day);
        var failed = Row(agent, "1.0", null, _benchB, "B", 0.03m, 0, 6, 0, 0, Day, status: "failed");
        await AddAsync(partly, failed);
        // Two of A's failed calls were billed ($0.01 each), one failed call cost nothing.
        await AddSamplesAsync(partly.ExecutionId, (null, 0.02m), (null, 0.02m), ("http_error", 0.01m), ("http_error", 0.01m), ("timeout", 0m));

        using var body = await GetJsonAsync($"/benchmarks/agents/{agent}/cost-analysis");
        var root = body.RootElement;

        var costPerTask = root.GetProperty("cost_per_task").EnumerateArray().ToList();
        // $0.16 over the 8 successful tasks = $0.02 (not $0.16 / 10 calls).
        Assert.Equal(0.02m, costPerTask[0].GetProperty("value").GetDecimal());
        Assert.Equal(8, costPerTask[0].GetProperty("successful_tasks").GetInt32());
        Assert.Equal(2, costPerTask[0].GetProperty("failed_tasks").GetInt32());
        Assert.Equal(JsonValueKind.Null, costPerTask[0].GetProperty("reason").ValueKind);
        // B never succeeded: no value, and why.
        Assert.Equal(JsonValueKind.Null, costPerTask[1].GetProperty("value").ValueKind);
        Assert.Equal("No task succeeded: the latest execution failed; 0 of 6 tasks succeeded for $0.03.", costPerTask[1].GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("performance_per_dollar")[1].GetProperty("value").ValueKind);

        // Only A is in the configuration's figures: its cost per task is A's.
        var configuration = Assert.Single(root.GetProperty("configurations").EnumerateArray());
        Assert.Equal(1, configuration.GetProperty("benchmarks").GetInt32());
        Assert.Equal(0.02m, configuration.GetProperty("cost_per_task_usd").GetDecimal());

        var opportunities = root.GetProperty("cost_optimization_opportunities").EnumerateArray()
            .ToDictionary(o => o.GetProperty("kind").GetString()!, o => o.GetProperty("description").GetString());
        // $0.02 of the agent's $0.16 + $0.03 = $0.19: 10.5 %.
        Assert.Equal("2 failed call(s) were paid for: $0.02, 11 % of the agent's cost in the latest executions ($0.19), bought no answer.",
            opportunities["failed_calls_paid"]);
        Assert.Equal("'B': no task succeeded in its latest execution (6 call(s) failed), which still cost $0.03.", opportunities["failed_execution_paid"]);
    }

    [Fact]
    public async Task A_free_agent_has_a_zero_cost_per_task_and_no_performance_per_dollar()
    {
        var agent = Guid.NewGuid();
        await AddAsync(
            Row(agent, "2.0", null, _benchA, "A", 0m, 10, 0, 0.9, 0.5, Day.AddHours(1)),
            Row(agent, "1.0", null, _benchA, "A", 0m, 10, 0, 0.6, 0.5, Day));

        using var body = await GetJsonAsync($"/benchmarks/agents/{agent}/cost-analysis");
        var root = body.RootElement;

        Assert.Equal(0m, root.GetProperty("cost_per_task")[0].GetProperty("value").GetDecimal());
        var perDollar = root.GetProperty("performance_per_dollar")[0];
        Assert.Equal(JsonValueKind.Null, perDollar.GetProperty("value").ValueKind);
        Assert.Contains("cost nothing", perDollar.GetProperty("reason").GetString());

        // Both cost $0: 2.0 (0.45) dominates 1.0 (0.30). 1.0's cost efficiency is 1 (nothing is cheaper than free),
        // its performance efficiency 0.30 / 0.45 = 0.667, below the 0.8 threshold; nothing to save either way.
        var configurations = root.GetProperty("configurations").EnumerateArray().ToDictionary(c => c.GetProperty("agent_version").GetString()!);
        Assert.True(configurations["2.0"].GetProperty("on_frontier").GetBoolean());
        Assert.False(configurations["1.0"].GetProperty("on_frontier").GetBoolean());
        Assert.Equal(1.0, configurations["1.0"].GetProperty("cost_efficiency").GetDouble(), 9);
        Assert.Equal(0.3 / 0.45, configurations["1.0"].GetProperty("efficiency_score").GetDouble(), 9);
        var optimal = Assert.Single(root.GetProperty("optimal_configurations").EnumerateArray());
        Assert.Equal("2.0", optimal.GetProperty("configuration").GetProperty("agent_version").GetString());
        Assert.Equal(0m, optimal.GetProperty("estimated_savings").GetDecimal());
        Assert.Equal(0, root.GetProperty("cost_optimization_opportunities").GetArrayLength());
    }

    [Fact]
    public async Task Model_configurations_of_one_version_are_configurations_of_their_own()
    {
        var agent = Guid.NewGuid();
        await AddAsync(
            // The same model configuration written with its keys in another order: PostgreSQL's jsonb makes them one.
            Row(agent, "1.0", """{"temperature": 0, "model": "gpt-big"}""", _benchA, "A", 0.40m, 10, 0, 0.9, 0.5, Day),
            Row(agent, "1.0", Big, _benchB, "B", 0.40m, 10, 0, 0.9, 0.5, Day),
            Row(agent, "1.0", Small, _benchA, "A", 0.10m, 10, 0, 0.9, 0.5, Day.AddHours(1)),
            Row(agent, "1.0", Small, _benchB, "B", 0.10m, 10, 0, 0.9, 0.5, Day.AddHours(1)),
            // A third configuration ran only A: it lacks B, so it cannot be compared with the current one.
            Row(agent, "0.9", Small, _benchA, "A", 0.01m, 10, 0, 0.9, 0.5, Day.AddHours(-1)));

        using var body = await GetJsonAsync($"/benchmarks/agents/{agent}/cost-analysis");
        var root = body.RootElement;

        Assert.Equal("gpt-small", root.GetProperty("current_configuration").GetProperty("model_configuration").GetProperty("model").GetString());
        var configurations = root.GetProperty("configurations").EnumerateArray().ToList();
        Assert.Equal(3, configurations.Count);
        Assert.Equal(3, configurations.Select(c => c.GetProperty("configuration_id").GetString()).Distinct().Count());

        var big = configurations.Single(c => c.GetProperty("model_configuration").GetProperty("model").GetString() == "gpt-big");
        Assert.Equal(2, big.GetProperty("benchmarks").GetInt32());
        Assert.Equal(0.04m, big.GetProperty("cost_per_task_usd").GetDecimal());
        // Same performance as the current gpt-small (0.45) at four times the cost: cost efficiency 0.01 / 0.04 = 0.25.
        Assert.Equal(0.25, big.GetProperty("efficiency_score").GetDouble(), 9);
        Assert.Equal(-300m, big.GetProperty("estimated_savings").GetDecimal()); // (0.01 − 0.04) × 10,000

        var partial = configurations.Single(c => c.GetProperty("agent_version").GetString() == "0.9");
        Assert.False(partial.GetProperty("comparable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, partial.GetProperty("efficiency_score").ValueKind);
        Assert.Equal(JsonValueKind.Null, partial.GetProperty("estimated_savings").ValueKind);
        Assert.Equal(["1.0"], root.GetProperty("optimal_configurations").EnumerateArray()
            .Select(o => o.GetProperty("configuration").GetProperty("agent_version").GetString()));
    }

    [Fact]
    public async Task Warm_up_and_judge_costs_are_named_when_they_take_a_large_share()
    {
        var agent = Guid.NewGuid();
        await AddAsync(Row(agent, "1.0", null, _benchA, "A", 0.20m, 10, 0, 0.9, 0.5, Day, warmupCost: 0.10m, judgeCost: 0.20m));

        using var body = await GetJsonAsync($"/benchmarks/agents/{agent}/cost-analysis");

        // Paid in all: 0.20 + 0.10 + 0.20 = $0.50; warm-ups 20 %, the judge 40 %.
        var opportunities = body.RootElement.GetProperty("cost_optimization_opportunities").EnumerateArray()
            .ToDictionary(o => o.GetProperty("kind").GetString()!, o => o.GetProperty("description").GetString());
        Assert.StartsWith("Warm-up calls cost $0.10, 20 % of everything the latest executions paid ($0.50), at up to 2 warm-up run(s)", opportunities["warm_up_cost"]);
        Assert.StartsWith("The judge cost $0.20 over 12 call(s), 40 % of everything the latest executions paid ($0.50)", opportunities["judge_cost"]);
    }

    [Fact]
    public async Task The_frontier_places_every_agent_configuration_of_a_suite()
    {
        var cheap = Guid.NewGuid();
        var strong = Guid.NewGuid();
        var dominated = Guid.NewGuid();
        var partial = Guid.NewGuid();
        await AddAsync(
            Row(cheap, "1.0", Small, _benchA, "A", 0.10m, 10, 0, 0.6, 0.5, Day),   // $0.01, 0.30
            Row(cheap, "1.0", Small, _benchB, "B", 0.10m, 10, 0, 0.6, 0.5, Day),
            Row(strong, "3.1", Big, _benchA, "A", 0.50m, 10, 0, 1.0, 0.8, Day),    // $0.05, 0.80
            Row(strong, "3.1", Big, _benchB, "B", 0.50m, 10, 0, 1.0, 0.8, Day),
            Row(dominated, "2.0", Big, _benchA, "A", 0.60m, 10, 0, 0.8, 0.5, Day), // $0.06, 0.40
            Row(dominated, "2.0", Big, _benchB, "B", 0.60m, 10, 0, 0.8, 0.5, Day),
            Row(partial, "1.0", null, _benchA, "A", 0.01m, 10, 0, 0.9, 0.9, Day),  // A only
            // Another suite and a failed execution are not on this scatter.
            Row(cheap, "1.0", Small, Guid.NewGuid(), "other", 5m, 10, 0, 0.1, 0.1, Day, suiteId: Guid.NewGuid()),
            Row(strong, "3.1", Big, _benchA, "A", 0.01m, 0, 10, 0, 0, Day.AddHours(1), status: "failed"));

        using var body = await GetJsonAsync($"/benchmarks/cost-frontier?suite_id={_suite}");
        var root = body.RootElement;

        Assert.Equal(2, root.GetProperty("benchmarks").GetInt32());
        var points = root.GetProperty("points").EnumerateArray().ToList();
        // Ordered by cost per task: partial $0.001, cheap $0.01, strong $0.05, dominated $0.06.
        Assert.Equal([partial, cheap, strong, dominated], points.Select(p => p.GetProperty("agent_id").GetGuid()));
        Assert.False(points[0].GetProperty("comparable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, points[0].GetProperty("on_frontier").ValueKind);
        Assert.True(points[1].GetProperty("on_frontier").GetBoolean());
        Assert.True(points[2].GetProperty("on_frontier").GetBoolean());
        Assert.False(points[3].GetProperty("on_frontier").GetBoolean());
        // dominated: performance 0.40 / 0.80 = 0.5 (strong costs less), cost 0.05 / 0.06 (strong performs better): 0.5.
        Assert.Equal(0.5, points[3].GetProperty("efficiency_score").GetDouble(), 9);
        Assert.Equal(0.05 / 0.06, points[3].GetProperty("cost_efficiency").GetDouble(), 9);
        Assert.Equal(0.80, points[2].GetProperty("performance").GetDouble(), 9);
        Assert.Equal("big-bot", points[2].GetProperty("agent_name").GetString());
    }

    [Fact]
    public async Task Unknown_agents_are_404_and_registered_ones_without_executions_get_an_empty_analysis()
    {
        var unknown = await _client.GetAsync($"/benchmarks/agents/{Guid.NewGuid()}/cost-analysis");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        var registered = _catalog.Register();
        using var body = await GetJsonAsync($"/benchmarks/agents/{registered}/cost-analysis");
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("current_configuration").ValueKind);
        Assert.Equal(0, body.RootElement.GetProperty("configurations").GetArrayLength());
        Assert.Equal(0, body.RootElement.GetProperty("cost_per_task").GetArrayLength());
    }

    [Theory]
    [InlineData("/benchmarks/agents/not-a-guid/cost-analysis", "agent_id")]
    [InlineData("/benchmarks/agents/0b1c7ad0-1111-4111-8111-000000000001/cost-analysis?suite_id=nope", "suite_id")]
    [InlineData("/benchmarks/agents/0b1c7ad0-1111-4111-8111-000000000001/cost-analysis?monthly_tasks=0", "monthly_tasks")]
    [InlineData("/benchmarks/agents/0b1c7ad0-1111-4111-8111-000000000001/cost-analysis?monthly_tasks=-5", "monthly_tasks")]
    [InlineData("/benchmarks/agents/0b1c7ad0-1111-4111-8111-000000000001/cost-analysis?monthly_tasks=1e3", "monthly_tasks")]
    [InlineData("/benchmarks/agents/0b1c7ad0-1111-4111-8111-000000000001/cost-analysis?monthly_tasks=1000000001", "monthly_tasks")]
    [InlineData("/benchmarks/cost-frontier", "suite_id")]
    [InlineData("/benchmarks/cost-frontier?suite_id=12", "suite_id")]
    public async Task Bad_query_values_are_400_with_the_field(string url, string field)
    {
        var response = await _client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
    }

    private BenchmarkExecution Row(
        Guid agent, string version, string? model, Guid benchmark, string name, decimal cost, int successful, int failed,
        double accuracy, double speed, DateTimeOffset at, string status = "success", decimal? warmupCost = null, decimal judgeCost = 0m,
        Guid? suiteId = null) => new()
    {
        ExecutionId = Guid.NewGuid(),
        RunId = Guid.NewGuid(),
        AgentId = agent,
        AgentName = model == Big ? "big-bot" : "small-bot",
        AgentVersion = version,
        SuiteId = suiteId ?? _suite,
        SuiteCategory = "reasoning",
        BenchmarkId = benchmark,
        BenchmarkName = name,
        BenchmarkCategory = "math",
        ModelConfiguration = model,
        StartTime = at.AddMinutes(-1),
        EndTime = at,
        AccuracyScore = accuracy,
        SpeedScore = speed,
        ReliabilityScore = successful + failed == 0 ? 0 : (double)successful / (successful + failed),
        ApiCallsMade = successful + failed,
        CostUsd = cost,
        Status = status,
        Metrics = JsonSerializer.Serialize(new Dictionary<string, int> { ["samples"] = successful + failed, ["failed_samples"] = failed }),
        WarmupRuns = warmupCost is null ? 0 : 2,
        WarmupCostUsd = warmupCost,
        JudgeCalls = judgeCost > 0 ? 12 : 0,
        JudgeCostUsd = judgeCost,
        Iterations = 1,
        WorkerId = "worker-1",
        CreatedAt = at,
    };

    private async Task AddAsync(params BenchmarkExecution[] rows)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        db.BenchmarkExecutions.AddRange(rows);
        await db.SaveChangesAsync();
    }

    private async Task AddSamplesAsync(Guid executionId, params (string? ErrorKind, decimal Cost)[] samples)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        db.ExecutionSamples.AddRange(samples.Select((s, i) => new ExecutionSample
        {
            ExecutionId = executionId, Iteration = 0, ItemId = $"q{i}", DurationMs = 100, CostUsd = s.Cost, ErrorKind = s.ErrorKind,
            Reason = s.ErrorKind ?? "scored",
        }));
        await db.SaveChangesAsync();
    }

    private async Task<JsonDocument> GetJsonAsync(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
