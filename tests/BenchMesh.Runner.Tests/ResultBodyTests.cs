using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Messaging.Outbox;
using BenchMesh.Runner.Data;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;
using Npgsql;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The worker stores its results without the samples' null fields (<see cref="ResultBody"/>): whoever reads them back
/// with the outbox's options (the relay, the retry) reads the same message as from the outbox's full JSON, field for field.
/// </summary>
public sealed class ResultBodyTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly SampleAgentsServer _sampleAgents = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sampleAgents.DisposeAsync();

    public static TheoryData<string> Samples => [.. SampleKinds.Keys];

    private static readonly Dictionary<string, RawSample> SampleKinds = new()
    {
        ["every field set"] = new RawSample
        {
            Iteration = 3, ItemId = "q1", Output = "\"five\" é", DurationMs = 0.12345678901234567, TimeToFirstTokenMs = 0.0625,
            InputTokens = 12, OutputTokens = 3, TokensReportedByAgent = true, CostUsd = 0.000001234m, ErrorKind = SampleErrorKinds.LimitExceeded,
            Error = "The task used 15 tokens, over the token_limit of 10.", HttpStatus = 200, ConnectMs = 0.0011074397718102856,
            RequestWriteMs = 0.009340213597444918, CachedInputTokens = 0, PeakMemoryMb = 12.5, CpuTimeMs = 3.25,
            Judgement = new Judgement
            {
                Score = 0.75, Reason = "close", JudgeAgentId = Guid.NewGuid(), JudgeVersion = "2", PromptSha256 = new string('a', 64),
                InputTokens = 40, OutputTokens = 5, CostUsd = 0.00002m, DurationMs = 8.5, Error = null,
            },
        },
        ["every nullable field null"] = new RawSample
        {
            Iteration = 0, ItemId = "q2", DurationMs = 0, InputTokens = 0, OutputTokens = 0, TokensReportedByAgent = false, CostUsd = 0,
        },
        ["a trivial agent's answer"] = new RawSample
        {
            Iteration = 1, ItemId = "item-0001", Output = "5", DurationMs = 0.24866858415709278, InputTokens = 7, OutputTokens = 1,
            TokensReportedByAgent = false, CostUsd = 0, HttpStatus = 200, ConnectMs = 0, RequestWriteMs = 0.0234,
        },
        ["a failed call"] = new RawSample
        {
            Iteration = 2, ItemId = "q3", DurationMs = 1000.5, InputTokens = 0, OutputTokens = 0, TokensReportedByAgent = false, CostUsd = 0,
            ErrorKind = SampleErrorKinds.HttpStatus, Error = "HTTP 503: busy", HttpStatus = 503, ConnectMs = 0.5,
        },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_stored_body_reads_back_as_the_outbox_json_of_the_same_message(string kind)
    {
        var executed = TestExecutions.Arithmetic(new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(2), SampleKinds[kind]);

        var body = ResultBody.Serialize(executed);

        // Re-serialized with the outbox's options, which write every field, null or not: equal strings, equal messages.
        var full = OutboxModelExtensions.SerializeMessage(executed);
        Assert.Equal(full, OutboxModelExtensions.SerializeMessage(OutboxModelExtensions.DeserializeMessage<BenchmarkExecuted>(body)));
        using var sample = JsonDocument.Parse(body);
        Assert.All(sample.RootElement.GetProperty("samples").EnumerateArray().Single().EnumerateObject(), p => Assert.NotEqual(JsonValueKind.Null, p.Value.ValueKind));
        Assert.True(body.Length <= full.Length);
    }

    public static TheoryData<int> SampleCounts => [1, 2, 7, ResultBody.SplitFromSamples - 1, ResultBody.SplitFromSamples, 10_001];

    [Theory]
    [MemberData(nameof(SampleCounts))]
    public void A_body_serialized_in_parts_is_the_body_serialized_in_one_pass(int count)
    {
        // Every kind of sample above in turn, each with its own iteration, item and timings (non-ASCII and quotes included).
        var kinds = SampleKinds.Values.ToArray();
        var random = new Random(count);
        var samples = Enumerable.Range(0, count).Select(i => kinds[i % kinds.Length] with
        {
            Iteration = i / 100, ItemId = $"item-{i % 100:D4}", DurationMs = random.NextDouble() * 3, RequestWriteMs = i % 3 == 0 ? null : random.NextDouble() / 10,
        }).ToArray();
        var executed = TestExecutions.Arithmetic(new DateTimeOffset(2026, 12, 7, 21, 0, 0, TimeSpan.Zero), TimeSpan.FromSeconds(2), samples)
            with { Warmup = new WarmupUsage { Calls = 100, InputTokens = 700, DurationMs = 12.5 } };

        var onePass = ResultBody.Serialize(executed, parts: 1);

        Assert.Equal(onePass, ResultBody.Serialize(executed));
        foreach (var parts in new[] { 2, 3, 7, 64 })
        {
            Assert.Equal(onePass, ResultBody.Serialize(executed, parts));
        }

        Assert.Equal(count, OutboxModelExtensions.DeserializeMessage<BenchmarkExecuted>(onePass).Samples.Count);
    }

    [Theory]
    [InlineData(2, 3, 2)]
    // 4,200 samples: serialized in parts (ResultBody.SplitFromSamples).
    [InlineData(42, 100, 16)]
    public async Task A_worker_stores_its_results_as_the_message_it_publishes(int items, int iterations, int concurrency)
    {
        await using var host = await RunnerHost.StartAsync(infrastructure, $"result_body_{items * iterations}");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        var agent = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{_sampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=1");
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("arithmetic",
            [("q1", "What is 12 + 7?", "19"), ("q2", "Compute 3 * 4", "12"), .. Enumerable.Range(3, items - 2).Select(i => ($"q{i}", $"What is {i} + 1?", $"{i + 1}"))]));

        using var response = await http.PostAsJsonAsync("/benchmarks/run", new
        {
            agent_id = agent.Snapshot.AgentId,
            suite_id = suite.SuiteId,
            async_execution = true,
            configuration = new { warmup_runs = 0, iterations, concurrency },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid();
        await Eventually.TrueAsync(() => Task.FromResult(bus.Executed.Any(e => e.RunId == runId)), Wait, "BenchmarkExecuted");
        var published = bus.Executed.Single(e => e.RunId == runId);

        await using var connection = new NpgsqlConnection(host.Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT r.body, o.body FROM runner.benchmark_results r JOIN runner.outbox_messages o ON o.body = r.body WHERE r.run_id = @run", connection);
        command.Parameters.AddWithValue("run", runId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the results row, and the outbox row holding the same body");
        var stored = reader.GetString(0);

        Assert.Equal(items * iterations, published.Samples.Count);
        Assert.DoesNotContain("\"errorKind\":null", stored);
        // What Scoring received through the relay and the bus is what the results row holds, field for field.
        Assert.Equal(
            OutboxModelExtensions.SerializeMessage(published),
            OutboxModelExtensions.SerializeMessage(OutboxModelExtensions.DeserializeMessage<BenchmarkExecuted>(stored)));
    }
}
