using System.Net;
using System.Text;
using System.Text.Json;
using BenchMesh.Catalog;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Scoring.Consumers;
using BenchMesh.Scoring.Data;
using BenchMesh.ServiceDefaults;
using BenchMesh.Testing;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RabbitMQ.Client;

namespace BenchMesh.Scoring.Tests;

/// <summary>The Scoring host against real PostgreSQL and RabbitMQ, each test on its own database and virtual host.</summary>
public sealed class ScoringIntegrationTests(Infrastructure infra) : IClassFixture<Infrastructure>, IAsyncLifetime
{
    private const string ExecutionScoredExchange = "BenchMesh.Contracts.Scoring:ExecutionScored";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private WebApplicationFactory<ScoringDbContext> _factory = null!;
    private HttpClient _client = null!;
    private string _vhostUri = "";
    private IConnection _rabbit = null!;
    private IChannel _channel = null!;
    private ExchangeProbe _probe = null!;
    private readonly List<JsonElement> _scored = [];
    private readonly RegisteredAgentsCatalog _catalog = new();

    public async Task InitializeAsync()
    {
        var database = infra.CreateDatabase("scoring");
        _vhostUri = await infra.CreateVirtualHostAsync("scoring");

        // Our own queue on ExecutionScored's exchange, bound before anything is published, to see what Scoring publishes.
        _probe = await ExchangeProbe.BindAsync(_vhostUri, ExecutionScoredExchange);

        // A plain AMQP channel for what a probe does not do: publishing raw messages and inspecting Scoring's queues.
        _rabbit = await new ConnectionFactory { Uri = new Uri(_vhostUri) }.CreateConnectionAsync();
        _channel = await _rabbit.CreateChannelAsync();

        _factory = new WebApplicationFactory<ScoringDbContext>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:scoringdb", database);
            b.UseSetting("ConnectionStrings:rabbitmq", _vhostUri);
            b.ConfigureTestServices(services => services.RemoveAll<ISuiteCatalog>().AddSingleton<ISuiteCatalog>(_catalog));
        });
        _client = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _probe.DisposeAsync();
        await _channel.DisposeAsync();
        await _rabbit.DisposeAsync();
    }

    private static readonly System.Diagnostics.ActivitySource TestActivities = new("BenchMesh.Tests");

    [Fact]
    public async Task ExecutionScored_continues_the_trace_of_the_BenchmarkExecuted_that_caused_it()
    {
        // The event passes through the outbox and its relay (a background service): without the stored trace
        // parent the trace of a run would break here.
        await using var probe = await ExchangeProbe.BindAsync(_vhostUri, ExecutionScoredExchange);
        string traceId;
        using (var activity = TestActivities.StartActivity("runner publishes BenchmarkExecuted"))
        {
            Assert.NotNull(activity); // the service's OpenTelemetry listens to BenchMesh.* sources
            traceId = activity.TraceId.ToHexString();
            await Bus.Publish(Execution());
        }

        var scored = await probe.NextAsync(Timeout, "ExecutionScored");
        Assert.Contains(scored.Headers, h => h.Value.Contains(traceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_published_execution_is_stored_and_ExecutionScored_carries_its_scores()
    {
        var executed = Execution();
        await Bus.Publish(executed);

        var scored = (await ScoredAsync(1))[0];
        var message = scored.GetProperty("message");
        Assert.Equal(executed.ExecutionId, message.GetProperty("executionId").GetGuid());
        Assert.Equal("completed", message.GetProperty("status").GetString());
        var scores = message.GetProperty("scores");
        Assert.Equal(0.5, scores.GetProperty("accuracyScore").GetDouble(), 9);
        Assert.Equal(0.5, scores.GetProperty("speedScore").GetDouble(), 9);
        Assert.Equal(0.5, scores.GetProperty("efficiencyScore").GetDouble(), 9);
        Assert.Equal(0.5, scores.GetProperty("costScore").GetDouble(), 9);
        Assert.Equal(0.75, scores.GetProperty("reliabilityScore").GetDouble(), 9);
        Assert.Equal(0.5375, scores.GetProperty("overallScore").GetDouble(), 9);
        Assert.Equal(2, message.GetProperty("itemOutcomes").GetProperty("q1")[0].GetInt32());

        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        var row = await db.BenchmarkExecutions.SingleAsync(e => e.ExecutionId == executed.ExecutionId);
        Assert.Equal(0.5375, row.OverallScore, 9);
        Assert.Equal(4, row.ApiCallsMade);
        Assert.Equal(45, row.TokensUsed);
        Assert.Equal(60_000, row.TotalDurationMs);
        Assert.Equal("timeout: agent did not answer", row.ErrorDetails);
        var samples = await db.ExecutionSamples.Where(s => s.ExecutionId == executed.ExecutionId).OrderBy(s => s.Iteration).ThenBy(s => s.ItemId).ToListAsync();
        Assert.Equal(4, samples.Count);
        Assert.Equal([true, false, true, false], samples.Select(s => s.Correct == true));
        Assert.Equal("timeout", samples[3].ErrorKind);
        Assert.Equal("19", samples[1].Expected);
    }

    [Fact]
    public async Task A_message_that_cannot_be_processed_ends_in_the_error_queue_and_the_service_goes_on()
    {
        // An AMQP client that is not MassTransit publishes a BenchmarkExecuted Scoring cannot read.
        var envelope = """
            {"messageId":"0b1c7ad0-0000-0000-0000-000000000001","messageType":["urn:message:BenchMesh.Contracts.Runs:BenchmarkExecuted"],
             "message":{"runId":"not-a-guid","executionId":"also-not-a-guid"}}
            """;
        await _channel.ExchangeDeclareAsync("BenchMesh.Contracts.Runs:BenchmarkExecuted", ExchangeType.Fanout, durable: true);
        var props = new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true };
        await _channel.BasicPublishAsync("BenchMesh.Contracts.Runs:BenchmarkExecuted", "", mandatory: false, props, Encoding.UTF8.GetBytes(envelope));

        // It is kept for a person to inspect in Scoring's error queue, not dropped and not retried forever...
        var errorQueue = new KebabCaseEndpointNameFormatter(ResourceNames.Scoring, false).Consumer<BenchmarkExecutedConsumer>() + "_error";
        var dead = await Eventually.GetAsync(async () =>
        {
            try
            {
                return await _channel.BasicGetAsync(errorQueue, autoAck: false);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // The error queue is declared on the first fault; until then the passive get closes the channel.
                _channel = await _rabbit.CreateChannelAsync();
                return null;
            }
        }, Timeout, "the bad message in the error queue");
        Assert.Contains("also-not-a-guid", Encoding.UTF8.GetString(dead.Body.Span));

        // ...and the next good message is scored as usual.
        var executed = Execution();
        await Bus.Publish(executed);
        var scored = await ScoredAsync(1);
        Assert.Equal(executed.ExecutionId, scored[0].GetProperty("message").GetProperty("executionId").GetGuid());
    }

    [Fact]
    public async Task A_rubric_that_throws_on_some_outputs_leaves_those_samples_unscored_and_the_execution_is_still_scored()
    {
        // q2's own schema has keywords of the wrong type (a suite stored before Suites checked them): evaluating it
        // throws. Before, the exception failed the whole message into the error queue and the run never completed.
        var executed = Execution();
        executed = executed with
        {
            Benchmark = executed.Benchmark with
            {
                Items =
                [
                    executed.Benchmark.Items[0],
                    executed.Benchmark.Items[1] with { RubricJson = """{"type":"json_schema","schema":{"type":5,"required":[1]}}""" },
                ],
            },
        };
        await Bus.Publish(executed);

        var message = (await ScoredAsync(1))[0].GetProperty("message");
        Assert.Equal(executed.ExecutionId, message.GetProperty("executionId").GetGuid());
        // q1 right twice; q2's successful sample is unscored, its timed-out one counts 0: accuracy 2 / 3.
        Assert.Equal(2.0 / 3, message.GetProperty("scores").GetProperty("accuracyScore").GetDouble(), 9);

        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        var unscored = await db.ExecutionSamples.SingleAsync(s => s.ExecutionId == executed.ExecutionId && s.ItemId == "q2" && s.Iteration == 0);
        Assert.Null(unscored.Score);
        Assert.Null(unscored.Correct);
        Assert.StartsWith("rubric could not be applied:", unscored.Reason);
    }

    [Fact]
    public async Task An_output_with_NUL_characters_is_stored_without_them()
    {
        // PostgreSQL's text type rejects \u0000: before, the write failed on every redelivery and the run never completed.
        var executed = Execution();
        executed = executed with
        {
            Samples =
            [
                executed.Samples[0] with { Output = "The answer\u0000 is 5.\u0000" },
                executed.Samples[1],
                executed.Samples[2],
                executed.Samples[3] with { Error = "agent did\u0000 not answer" },
            ],
        };
        await Bus.Publish(executed);

        var message = (await ScoredAsync(1))[0].GetProperty("message");
        Assert.Equal(executed.ExecutionId, message.GetProperty("executionId").GetGuid());
        Assert.Equal(0.5, message.GetProperty("scores").GetProperty("accuracyScore").GetDouble(), 9);

        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        var samples = await db.ExecutionSamples.Where(s => s.ExecutionId == executed.ExecutionId)
            .OrderBy(s => s.Iteration).ThenBy(s => s.ItemId).ToListAsync();
        Assert.Equal("The answer is 5.", samples[0].Output);
        Assert.True(samples[0].Correct);
        Assert.Equal("agent did not answer", samples[3].Error);
        var row = await db.BenchmarkExecutions.SingleAsync(e => e.ExecutionId == executed.ExecutionId);
        Assert.Equal("timeout: agent did not answer", row.ErrorDetails);
    }

    [Fact]
    public async Task The_same_execution_delivered_twice_is_scored_once()
    {
        var executed = Execution();
        await Bus.Publish(executed);
        await Bus.Publish(executed);

        await ScoredAsync(1);

        // Both deliveries handled: nothing left in Scoring's queue, nothing left in the outbox; then a grace period
        // in which a second ExecutionScored would have arrived.
        var queue = new KebabCaseEndpointNameFormatter(ResourceNames.Scoring, false).Consumer<BenchmarkExecutedConsumer>();
        await Eventually.TrueAsync(async () =>
        {
            var ready = await _channel.QueueDeclarePassiveAsync(queue);
            await using var scope = _factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
            return ready.MessageCount == 0 && !await db.OutboxMessages.AnyAsync(m => m.SentAt == null);
        }, Timeout, "both deliveries to be handled");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Single(await DrainAsync());
        await using var check = _factory.Services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<ScoringDbContext>();
        Assert.Equal(1, await db.BenchmarkExecutions.CountAsync(e => e.ExecutionId == executed.ExecutionId));
        Assert.Equal(4, await db.ExecutionSamples.CountAsync(s => s.ExecutionId == executed.ExecutionId));
        Assert.Equal(1, await db.OutboxMessages.CountAsync());
    }

    [Fact]
    public async Task The_results_endpoint_returns_executions_with_the_seed_column_names()
    {
        var first = Execution();
        await Bus.Publish(first);
        await ScoredAsync(1);
        var second = Execution(first.Agent.AgentId, first.SuiteId, first.Benchmark.BenchmarkId);
        await Bus.Publish(second);
        await ScoredAsync(2);

        using var latest = await GetJsonAsync($"/benchmarks/agents/{first.Agent.AgentId}/results?suite_id={first.SuiteId}");
        var results = latest.RootElement.GetProperty("results");
        var result = Assert.Single(results.EnumerateArray());
        Assert.Equal(second.ExecutionId, result.GetProperty("execution_id").GetGuid());
        Assert.Equal("latest", latest.RootElement.GetProperty("timeframe").GetString());
        foreach (var column in new[]
                 {
                     "run_id", "agent_id", "agent_version", "suite_id", "benchmark_id", "benchmark_name", "accuracy_score", "speed_score",
                     "efficiency_score", "cost_score", "reliability_score", "overall_score", "execution_time_ms", "tokens_used",
                     "api_calls_made", "cost_usd", "status", "error_message", "metrics", "created_at",
                 })
        {
            Assert.True(result.TryGetProperty(column, out _), $"missing {column}");
        }

        Assert.Equal(4, result.GetProperty("api_calls_made").GetInt32());
        Assert.Equal(200, result.GetProperty("metrics").GetProperty("median_latency_ms").GetDouble());

        using var all = await GetJsonAsync($"/benchmarks/agents/{first.Agent.AgentId}/results?timeframe=all");
        Assert.Equal(2, all.RootElement.GetProperty("results").GetArrayLength());

        using var other = await GetJsonAsync($"/benchmarks/agents/{_catalog.Register()}/results?timeframe=30d");
        Assert.Equal(0, other.RootElement.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task An_agent_id_Suites_never_registered_is_a_404()
    {
        var response = await _client.GetAsync($"/benchmarks/agents/{Guid.NewGuid()}/results?timeframe=all");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Agent not found.", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_registered_agent_without_results_is_a_200_with_none()
    {
        var agentId = _catalog.Register();

        using var body = await GetJsonAsync($"/benchmarks/agents/{agentId}/results");

        Assert.Equal(agentId, body.RootElement.GetProperty("agent_id").GetGuid());
        Assert.Equal(0, body.RootElement.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Without_Suites_results_are_still_served_and_only_an_agent_without_any_is_a_503()
    {
        var executed = Execution();
        await Bus.Publish(executed);
        await ScoredAsync(1);
        var withResults = executed.Agent.AgentId;
        var withoutResults = Guid.NewGuid();
        _catalog.FailFor(withResults);
        _catalog.FailFor(withoutResults);

        // Another suite of the same agent has no results either, but the agent has some: Suites is not asked.
        using var otherSuite = await GetJsonAsync($"/benchmarks/agents/{withResults}/results?suite_id={Guid.NewGuid()}");
        using var all = await GetJsonAsync($"/benchmarks/agents/{withResults}/results?timeframe=all");
        var unknown = await _client.GetAsync($"/benchmarks/agents/{withoutResults}/results");

        Assert.Equal(0, otherSuite.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal(1, all.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("?timeframe=yesterday", "timeframe")]
    [InlineData("?suite_id=not-a-guid", "suite_id")]
    public async Task A_bad_query_is_a_400_with_the_field(string query, string field)
    {
        var response = await _client.GetAsync($"/benchmarks/agents/{Guid.NewGuid()}/results{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_malformed_agent_id_is_a_400()
    {
        var response = await _client.GetAsync("/benchmarks/agents/42/results");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("agent_id", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Serves_its_OpenAPI_document()
    {
        var response = await _client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/benchmarks/", await response.Content.ReadAsStringAsync());
    }

    private IBus Bus => _factory.Services.GetRequiredService<IBus>();

    private async Task<JsonDocument> GetJsonAsync(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until at least <paramref name="count"/> ExecutionScored messages have arrived.</summary>
    private Task<List<JsonElement>> ScoredAsync(int count) =>
        Eventually.GetAsync(async () => await DrainAsync() is { } all && all.Count >= count ? all : null, Timeout, $"{count} ExecutionScored");

    /// <summary>Every ExecutionScored envelope received so far (MassTransit's JSON: camelCase, message under "message").</summary>
    private async Task<List<JsonElement>> DrainAsync()
    {
        while (await _probe.TryGetAsync() is { } received)
        {
            _scored.Add(received.Envelope);
        }

        return _scored.ToList();
    }

    /// <summary>
    /// Two items over two passes, with targets chosen so that speed, efficiency and cost land on 0.5:
    /// q1 right twice, q2 wrong once and timed out once. Accuracy 0.5, reliability 0.75, overall 0.5375.
    /// </summary>
    private static BenchmarkExecuted Execution(Guid? agentId = null, Guid? suiteId = null, Guid? benchmarkId = null)
    {
        var started = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.FromHours(2));
        RawSample S(int iteration, string item, string? output, double ms, string? error = null) => new()
        {
            Iteration = iteration, ItemId = item, Output = output, DurationMs = ms,
            InputTokens = error is null ? 10 : 0, OutputTokens = error is null ? 5 : 0, TokensReportedByAgent = true,
            CostUsd = error is null ? 0.001m : 0m, ErrorKind = error, Error = error is null ? null : "agent did not answer",
        };

        return new BenchmarkExecuted
        {
            RunId = Guid.NewGuid(),
            ExecutionId = Guid.NewGuid(),
            SuiteId = suiteId ?? Guid.NewGuid(),
            SuiteCategory = "reasoning",
            Agent = new AgentSnapshot
            {
                AgentId = agentId ?? Guid.NewGuid(), AgentName = "calc-bot", Version = "1.0", Protocol = AgentProtocols.HttpJson,
                Endpoint = "http://127.0.0.1:1/agent", Pricing = Pricing.Free,
            },
            Benchmark = new BenchmarkDefinition
            {
                BenchmarkId = benchmarkId ?? Guid.NewGuid(),
                Name = "arithmetic",
                Category = "math",
                RubricJson = """{"type":"numeric_tolerance","tolerance":0.01}""",
                Constraints = new BenchmarkConstraints { TargetLatencyMs = 200, TargetTokens = 15, TargetCostUsd = 0.001 },
                Items = [new DatasetItem { Id = "q1", Input = "2 + 3?", Expected = "5" }, new DatasetItem { Id = "q2", Input = "4 * 5?", Expected = "19" }],
            },
            WarmupRuns = 1,
            Iterations = 2,
            TerminatedEarly = false,
            Samples =
            [
                S(0, "q1", "The answer is 5.", 100), S(0, "q2", "20", 300),
                S(1, "q1", "5", 200), S(1, "q2", null, 5000, SampleErrorKinds.Timeout),
            ],
            WorkerId = "worker-1",
            StartedAt = started,
            CompletedAt = started.AddMinutes(1),
        };
    }
}
