using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchMesh.Contracts.Scoring;
using BenchMesh.Leaderboard.Data;
using BenchMesh.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BenchMesh.Leaderboard.Tests;

/// <summary>
/// <c>POST /benchmarks/compare</c> on the Leaderboard host against real PostgreSQL (and RabbitMQ, which the host needs);
/// each test has its own database. Executions are written straight into the projection the consumer fills (its own
/// tests cover the consumer), with scores chosen so that each test's statistics can be worked out by hand.
/// </summary>
public sealed class CompareIntegrationTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private readonly Guid _suite = Guid.NewGuid();
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow.AddHours(-1);
    private WebApplicationFactory<LeaderboardDbContext> _factory = null!;
    private HttpClient _client = null!;
    private int _inserted;

    public async Task InitializeAsync()
    {
        var database = infra.CreateDatabase("compare");
        var vhost = await infra.CreateVirtualHostAsync("compare");
        _factory = new WebApplicationFactory<LeaderboardDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:leaderboarddb", database);
            b.UseSetting("ConnectionStrings:rabbitmq", vhost);
        });
        _client = _factory.CreateClient().WithCaller();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task A_significant_difference_names_a_winner_and_an_insignificant_one_does_not()
    {
        var strong = Guid.NewGuid();
        var weak = Guid.NewGuid();
        double[] strongSpeed = [0.60, 0.62, 0.58];
        double[] weakSpeed = [0.61, 0.60, 0.59];
        var executions = new List<Exec>();
        for (var i = 0; i < 3; i++)
        {
            // The same ten items per benchmark, one attempt each: strong answers all, weak the first five.
            var benchmark = Guid.NewGuid();
            executions.Add(new Exec(weak, "weak", "1.0", benchmark, "math") { Accuracy = 0.5, Speed = weakSpeed[i], Items = Items(10, q => q < 5) });
            executions.Add(new Exec(strong, "strong", "1.0", benchmark, "math") { Accuracy = 1.0, Speed = strongSpeed[i], Items = Items(10, _ => true) });
        }

        await InsertAsync([.. executions]);
        using var doc = await CompareAsync(new { agent_ids = new[] { weak.ToString(), strong.ToString() }, suite_id = _suite, comparison_type = "head_to_head" });
        var root = doc.RootElement;
        var strongRef = $"{strong}@1.0";

        Assert.Equal("head_to_head", root.GetProperty("comparison_type").GetString());
        Assert.Equal($"{weak}@1.0", root.GetProperty("agent_a").GetProperty("ref").GetString());
        var accuracy = Metric(root, "accuracy");
        var significance = accuracy.GetProperty("statistical_significance");
        // 15 of the 30 shared items go strong's way and none weak's: exact McNemar, two-sided p = 2 × 0.5^15.
        Assert.Equal("mcnemar_exact", significance.GetProperty("test").GetString());
        Assert.Equal("per_item", significance.GetProperty("basis").GetString());
        Assert.Equal(2 * Math.Pow(0.5, 15), significance.GetProperty("p_value").GetDouble(), 12);
        Assert.Equal(30, significance.GetProperty("agent_a_samples").GetInt32());
        Assert.Equal("items", significance.GetProperty("sample_unit").GetString());
        Assert.True(significance.GetProperty("significant").GetBoolean());
        Assert.Equal("agent_b_better", significance.GetProperty("verdict").GetString());
        Assert.Equal(-0.5, significance.GetProperty("effect").GetProperty("estimate").GetDouble(), 9);
        Assert.Equal(strongRef, accuracy.GetProperty("winner").GetString());
        Assert.Equal(0.5, accuracy.GetProperty("agent_a_score").GetDouble(), 9);
        Assert.Equal(1.0, accuracy.GetProperty("agent_b_score").GetDouble(), 9);
        Assert.Equal(-0.5, accuracy.GetProperty("difference").GetDouble(), 9);
        Assert.Equal(-50.0, accuracy.GetProperty("percentage_difference").GetDouble(), 9);
        Assert.Equal(2 * Math.Pow(0.5, 15), root.GetProperty("statistical_significance").GetProperty("accuracy").GetDouble(), 12);

        // Speed: per-benchmark differences +0.01, −0.02, +0.01 average 0: a paired t with no evidence, so no winner.
        var speed = Metric(root, "speed");
        Assert.Equal("paired_t", speed.GetProperty("statistical_significance").GetProperty("test").GetString());
        Assert.Equal("per_benchmark", speed.GetProperty("statistical_significance").GetProperty("basis").GetString());
        Assert.Equal(JsonValueKind.Null, speed.GetProperty("winner").ValueKind);
        Assert.Equal("no_significant_difference", speed.GetProperty("statistical_significance").GetProperty("verdict").GetString());
        Assert.StartsWith("No significant difference (q=", speed.GetProperty("note").GetString(), StringComparison.Ordinal);

        Assert.Equal(strongRef, root.GetProperty("overall_winner").GetString());
        Assert.Equal((0, 1), (root.GetProperty("agent_a_wins").GetInt32(), root.GetProperty("agent_b_wins").GetInt32()));
        Assert.Equal(strongRef, root.GetProperty("category_winners").GetProperty("math").GetString());
        Assert.Equal(
            [
                "Overall, prefer strong 1.0: significantly better on 1 of 5 metrics (accuracy).",
                "Use strong 1.0 for accuracy-critical work: 50.0 points more accurate, 100.0% vs 50.0% (p<0.001, 30 items).",
                "No significant difference in speed, efficiency, cost and reliability.",
            ],
            Strings(root.GetProperty("recommendations")));
    }

    [Fact]
    public async Task The_majority_rule_counts_only_significant_wins()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var executions = new List<Exec>();
        for (var i = 0; i < 3; i++)
        {
            // a is ahead on accuracy, speed and efficiency by half a point on every benchmark (below the 1-point
            // threshold: not a win); b is ahead on cost and reliability by far on every benchmark.
            var benchmark = Guid.NewGuid();
            var level = 0.6 + i * 0.1;
            executions.Add(new Exec(a, "a", "1.0", benchmark)
            {
                Accuracy = level + 0.005, Speed = level + 0.005, Efficiency = level + 0.005, Cost = 0.4, Reliability = 0.9,
                CostPerTask = 0.002, ErrorRate = 0.1,
            });
            executions.Add(new Exec(b, "b", "1.0", benchmark)
            {
                Accuracy = level, Speed = level, Efficiency = level, Cost = 0.8, Reliability = 0.99, CostPerTask = 0.001, ErrorRate = 0.01,
            });
        }

        await InsertAsync([.. executions]);
        using var doc = await CompareAsync(new { agent_ids = new[] { a.ToString(), b.ToString() }, suite_id = _suite, comparison_type = "head_to_head" });
        var root = doc.RootElement;

        // §3.2's rule on raw differences would make a the winner (3 metrics to 2); only b's wins are significant.
        foreach (var name in new[] { "accuracy", "speed", "efficiency" })
        {
            var metric = Metric(root, name);
            Assert.True(metric.GetProperty("difference").GetDouble() > 0);
            Assert.Equal(JsonValueKind.Null, metric.GetProperty("winner").ValueKind);
            Assert.Equal("No significant difference: the 0.5-point difference is below the 1.0-point threshold.", metric.GetProperty("note").GetString());
        }

        Assert.Equal($"{b}@1.0", Metric(root, "cost").GetProperty("winner").GetString());
        Assert.Equal($"{b}@1.0", root.GetProperty("overall_winner").GetString());
        Assert.Equal((0, 2), (root.GetProperty("agent_a_wins").GetInt32(), root.GetProperty("agent_b_wins").GetInt32()));
        Assert.Equal(
            [
                "Overall, prefer b 1.0: significantly better on 2 of 5 metrics (cost and reliability).",
                "Use b 1.0 for cost-sensitive work: 2.0× cheaper per task, $0.001 vs $0.002 (p<0.001, 3 benchmarks).",
                "Use b 1.0 for reliability-critical work: 9.0 points more reliable, error rate 1.0% vs 10.0% (p<0.001, 3 benchmarks).",
                "No significant difference in accuracy, speed and efficiency.",
            ],
            Strings(root.GetProperty("recommendations")));
    }

    [Fact]
    public async Task Each_benchmark_category_has_its_own_winner()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var executions = new List<Exec>();
        for (var i = 0; i < 3; i++)
        {
            // math: a is 30 points ahead on accuracy and speed. code: b is 30 points ahead on accuracy and 40 on cost.
            var math = Guid.NewGuid();
            executions.Add(new Exec(a, "a", "1.0", math, "math") { Accuracy = 0.9, Speed = 0.8 });
            executions.Add(new Exec(b, "b", "1.0", math, "math") { Accuracy = 0.6, Speed = 0.5 });
            var code = Guid.NewGuid();
            executions.Add(new Exec(a, "a", "1.0", code, "code") { Accuracy = 0.6, Speed = 0.5, Cost = 0.4 });
            executions.Add(new Exec(b, "b", "1.0", code, "code") { Accuracy = 0.9, Speed = 0.5, Cost = 0.8 });
        }

        // Only a ran this category: it cannot be compared, so it has no winner entry.
        executions.Add(new Exec(a, "a", "1.0", Guid.NewGuid(), "vision"));
        await InsertAsync([.. executions]);
        using var doc = await CompareAsync(new { agent_ids = new[] { a.ToString(), b.ToString() }, suite_id = _suite, comparison_type = "head_to_head" });
        var root = doc.RootElement;

        var winners = root.GetProperty("category_winners");
        Assert.Equal([("code", $"{b}@1.0"), ("math", $"{a}@1.0")],
            winners.EnumerateObject().Select(p => (p.Name, p.Value.GetString())).ToList());
        var mathResult = root.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("category").GetString() == "math");
        Assert.Equal(3, mathResult.GetProperty("benchmarks").GetInt32());
        Assert.Equal((2, 0), (mathResult.GetProperty("agent_a_wins").GetInt32(), mathResult.GetProperty("agent_b_wins").GetInt32()));
        Assert.Equal(5, mathResult.GetProperty("detailed_metrics").GetArrayLength());

        // Across all benchmarks the two cancel out: no metric is significant overall, and the answer says so.
        Assert.Equal(JsonValueKind.Null, root.GetProperty("overall_winner").ValueKind);
        var recommendations = Strings(root.GetProperty("recommendations"));
        Assert.StartsWith("No significant difference between a 1.0 and b 1.0 on any of the 5 metrics", recommendations[0], StringComparison.Ordinal);
        Assert.Contains("For code benchmarks, use b 1.0: significantly better on 2 of 5 metrics there (accuracy and cost).", recommendations);
        Assert.Contains("For math benchmarks, use a 1.0: significantly better on 2 of 5 metrics there (accuracy and speed).", recommendations);
    }

    [Fact]
    public async Task Two_versions_of_one_agent_are_compared_and_the_latest_is_the_default()
    {
        var agent = Guid.NewGuid();
        var executions = new List<Exec>();
        foreach (var (version, right) in new[] { ("0.9", 2), ("1.0", 5), ("2.0", 10) })
        {
            for (var i = 0; i < 3; i++)
            {
                // Benchmarks shared across versions by index, so the items pair up.
                executions.Add(new Exec(agent, "solver", version, BenchmarkOf(i), "math") { Accuracy = right / 10.0, Items = Items(10, q => q < right) });
            }
        }

        await InsertAsync([.. executions]); // inserted oldest first: 2.0 is the latest
        using var doc = await CompareAsync(new { agent_ids = new[] { $"{agent}@1.0", agent.ToString() }, suite_id = _suite, comparison_type = "head_to_head" });
        var root = doc.RootElement;

        Assert.Equal("1.0", root.GetProperty("agent_a").GetProperty("agent_version").GetString());
        Assert.Equal("2.0", root.GetProperty("agent_b").GetProperty("agent_version").GetString());
        Assert.Equal(3, root.GetProperty("agent_b").GetProperty("executions").GetInt32());
        Assert.Equal($"{agent}@2.0", Metric(root, "accuracy").GetProperty("winner").GetString());
        Assert.Equal($"{agent}@2.0", root.GetProperty("overall_winner").GetString());
        Assert.Contains("Use solver 2.0 for accuracy-critical work: 50.0 points more accurate, 100.0% vs 50.0% (p<0.001, 30 items).",
            Strings(root.GetProperty("recommendations")));

        // "agent" is 2.0, so naming 2.0 as well compares a version with itself.
        var same = await _client.PostAsJsonAsync("/benchmarks/compare", new { agent_ids = new[] { $"{agent}@2.0", agent.ToString() }, suite_id = _suite });
        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);
        using var sameProblem = JsonDocument.Parse(await same.Content.ReadAsStringAsync());
        Assert.Contains("the same agent version as agent_ids[0]", sameProblem.RootElement.GetProperty("errors").GetProperty("agent_ids[1]")[0].GetString());

        var unknown = await _client.PostAsJsonAsync("/benchmarks/compare", new { agent_ids = new[] { $"{agent}@3.0", agent.ToString() }, suite_id = _suite });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var unknownProblem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync());
        Assert.Equal([$"{agent}@3.0"], Strings(unknownProblem.RootElement.GetProperty("missing")));
        Assert.Contains($"agent {agent} version 3.0", unknownProblem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Matrix_compares_every_pair_with_the_head_to_head_fields()
    {
        Guid[] agents = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
        var executions = new List<Exec>();
        for (var n = 0; n < agents.Length; n++)
        {
            for (var i = 0; i < 3; i++)
            {
                // Agent n is 10 points less accurate than agent n − 1 on every benchmark.
                executions.Add(new Exec(agents[n], $"agent{n}", "1.0", BenchmarkOf(i)) { Accuracy = 0.9 - n * 0.1 + i * 0.01 });
            }
        }

        await InsertAsync([.. executions]);
        using var doc = await CompareAsync(new { agent_ids = agents.Select(a => a.ToString()).ToArray(), suite_id = _suite, comparison_type = "matrix" });
        var root = doc.RootElement;

        Assert.Equal("matrix", root.GetProperty("comparison_type").GetString());
        Assert.Equal(agents, root.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("agent_id").GetGuid()));
        var pairs = root.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(agents.Length * (agents.Length - 1) / 2, pairs.Count);
        Assert.Equal(
            [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)],
            pairs.Select(p => (Array.IndexOf(agents, p.GetProperty("agent_a").GetProperty("agent_id").GetGuid()),
                Array.IndexOf(agents, p.GetProperty("agent_b").GetProperty("agent_id").GetGuid()))).ToList());
        foreach (var pair in pairs)
        {
            // The earlier agent is the more accurate one in every pair.
            var first = pair.GetProperty("agent_a").GetProperty("ref").GetString();
            Assert.Equal(first, Metric(pair, "accuracy").GetProperty("winner").GetString());
            Assert.Equal(first, pair.GetProperty("overall_winner").GetString());
            Assert.Equal(5, pair.GetProperty("detailed_metrics").GetArrayLength());
            Assert.NotEmpty(Strings(pair.GetProperty("recommendations")));
            Assert.True(pair.TryGetProperty("category_winners", out _));
        }
    }

    [Fact]
    public async Task Percentage_difference_is_null_when_agent_b_scored_zero_and_head_to_head_is_the_default()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var benchmark = Guid.NewGuid();
        await InsertAsync(
            new Exec(a, "a", "1.0", benchmark) { Accuracy = 0.6, Cost = 0.5 },
            new Exec(b, "b", "1.0", benchmark) { Accuracy = 0.4, Cost = 0.0 });

        using var doc = await CompareAsync(new { agent_ids = new[] { a.ToString(), b.ToString() }, suite_id = _suite });
        var root = doc.RootElement;

        Assert.Equal("head_to_head", root.GetProperty("comparison_type").GetString());
        var cost = Metric(root, "cost");
        Assert.Equal(0.5, cost.GetProperty("difference").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, cost.GetProperty("percentage_difference").ValueKind);
        Assert.Equal(50.0, Metric(root, "accuracy").GetProperty("percentage_difference").GetDouble(), 9); // (0.6 − 0.4) / 0.4 × 100
        // One execution each: no test can separate them, and the answer says so instead of naming a winner.
        Assert.Equal("mann_whitney", cost.GetProperty("statistical_significance").GetProperty("test").GetString());
        Assert.Equal(JsonValueKind.Null, cost.GetProperty("winner").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("overall_winner").ValueKind);
        // One value per side has no spread: the answer says the data are too few rather than quoting a detectable 0.
        Assert.EndsWith("these data are too few to size a detectable difference.", cost.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            "No significant difference between a 1.0 and b 1.0 on any of the 5 metrics: either will do for this suite. "
            + "To tell them apart, run more iterations (these data are too few to size a detectable difference).",
            Assert.Single(Strings(root.GetProperty("recommendations"))));
    }

    [Fact]
    public async Task Bad_requests_are_problems_with_field_errors()
    {
        var known = Guid.NewGuid();
        await InsertAsync(new Exec(known, "known", "1.0", Guid.NewGuid()));

        async Task Expect(HttpStatusCode status, HttpContent body, params string[] fields)
        {
            var response = await _client.PostAsync("/benchmarks/compare", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, text);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(text);
            foreach (var field in fields)
            {
                Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
            }
        }

        HttpContent Body(object agentIds, object? suiteId = null, string comparisonType = "matrix") =>
            JsonContent.Create(new { agent_ids = agentIds, suite_id = suiteId ?? _suite, comparison_type = comparisonType });

        var other = Guid.NewGuid().ToString();
        await Expect(HttpStatusCode.BadRequest, Body(new[] { known.ToString(), other }, comparisonType: "battle"), "comparison_type");
        await Expect(HttpStatusCode.BadRequest, Body(new[] { known.ToString() }), "agent_ids");
        await Expect(HttpStatusCode.BadRequest, Body(Enumerable.Range(0, 11).Select(_ => Guid.NewGuid().ToString()).ToArray()), "agent_ids");
        await Expect(HttpStatusCode.BadRequest, Body(new[] { known.ToString(), other, known.ToString() }), "agent_ids[2]");
        await Expect(HttpStatusCode.BadRequest, Body(new[] { "nope", other, $"{known}@", $"{known}@{new string('v', 101)}" }), "agent_ids[0]", "agent_ids[2]", "agent_ids[3]");
        await Expect(HttpStatusCode.BadRequest, Body(new[] { known.ToString(), other, $"{other}@2" }, comparisonType: "head_to_head"), "agent_ids");
        await Expect(HttpStatusCode.BadRequest, Body(new[] { known.ToString(), other }, suiteId: "suite-1"), "suite_id");
        await Expect(HttpStatusCode.BadRequest, new StringContent("{\"agent_ids\": [", Encoding.UTF8, "application/json"));

        var missing = await _client.PostAsJsonAsync("/benchmarks/compare", new { agent_ids = new[] { known.ToString(), other }, suite_id = _suite });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var problem = JsonDocument.Parse(await missing.Content.ReadAsStringAsync());
        Assert.Equal([other], Strings(problem.RootElement.GetProperty("missing")));
        Assert.Contains($"agent {other}", problem.RootElement.GetProperty("detail").GetString());
    }

    private readonly Dictionary<int, Guid> _benchmarks = [];

    private Guid BenchmarkOf(int index) => _benchmarks.TryGetValue(index, out var id) ? id : _benchmarks[index] = Guid.NewGuid();

    private static Dictionary<string, int[]> Items(int count, Func<int, bool> right) =>
        Enumerable.Range(0, count).ToDictionary(q => $"q{q}", q => new[] { right(q) ? 1 : 0, 1 });

    private static JsonElement Metric(JsonElement comparison, string name) =>
        comparison.GetProperty("detailed_metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == name);

    private static List<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()).ToList();

    private async Task<JsonDocument> CompareAsync(object body)
    {
        var response = await _client.PostAsJsonAsync("/benchmarks/compare", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text);
    }

    /// <summary>One execution as the projection stores it; scores default to a middling agent's.</summary>
    private sealed record Exec(Guid Agent, string Name, string Version, Guid Benchmark, string Category = "general")
    {
        public double Accuracy { get; init; } = 0.7;
        public double Speed { get; init; } = 0.5;
        public double Efficiency { get; init; } = 0.5;
        public double Cost { get; init; } = 0.5;
        public double Reliability { get; init; } = 1;
        public double CostPerTask { get; init; } = 0.002;
        public double ErrorRate { get; init; }
        public Dictionary<string, int[]> Items { get; init; } = [];
    }

    /// <summary>Inserts the executions, each scored a second after the one before (so the last inserted version is the latest).</summary>
    private async Task InsertAsync(params Exec[] executions)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LeaderboardDbContext>();
        foreach (var e in executions)
        {
            db.Scores.Add(new AgentBenchmarkScore
            {
                ExecutionId = Guid.NewGuid(),
                RunId = Guid.NewGuid(),
                AgentId = e.Agent,
                AgentName = e.Name,
                AgentVersion = e.Version,
                SuiteId = _suite,
                SuiteCategory = "reasoning",
                BenchmarkId = e.Benchmark,
                BenchmarkName = "b",
                BenchmarkCategory = e.Category,
                Status = ExecutionStatuses.Completed,
                ExecutionStatus = "success",
                AccuracyScore = e.Accuracy,
                SpeedScore = e.Speed,
                EfficiencyScore = e.Efficiency,
                CostScore = e.Cost,
                ReliabilityScore = e.Reliability,
                OverallScore = 0.3 * e.Accuracy + 0.2 * e.Speed + 0.2 * e.Efficiency + 0.15 * e.Cost + 0.15 * e.Reliability,
                Samples = 10,
                ErrorRate = e.ErrorRate,
                MedianLatencyMs = 100,
                P95LatencyMs = 150,
                MeanTokensPerTask = 20,
                MeanCostPerTaskUsd = e.CostPerTask,
                TokensUsed = 200,
                TotalCostUsd = (decimal)(e.CostPerTask * 10),
                ApiCallsMade = 10,
                // No per-pass values: every score is compared per benchmark (accuracy per item where there are items).
                PerIteration = "[]",
                ItemOutcomes = JsonSerializer.Serialize(e.Items, ServiceDefaultsExtensions.PublicJson),
                ScoredAt = _start.AddSeconds(++_inserted),
            });
        }

        await db.SaveChangesAsync();
    }
}
