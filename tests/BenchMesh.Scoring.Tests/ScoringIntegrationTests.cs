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
            b.ConfigureTestServices(services => services.RemoveAll<ISuiteCatalog>().AddSingleton<ISuiteCatalog>(_catalog).AddConsumedMessages());
        });
        _client = _factory.CreateClient().WithCaller();
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
        Assert.Equal("success", message.GetProperty("executionStatus").GetString());
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
    public async Task Every_column_of_a_sample_is_stored_as_received_and_absent_ones_are_null()
    {
        // The samples are written with binary COPY (ExecutionSampleCopy), column by column: each one read back through
        // EF Core, a sample with every optional field and one without any.
        var executed = Execution();
        executed = executed with
        {
            Samples =
            [
                executed.Samples[0] with
                {
                    TimeToFirstTokenMs = 40.25, ConnectMs = 1.5, RequestWriteMs = 0.125, CachedInputTokens = 3, PeakMemoryMb = 12.5,
                    CpuTimeMs = 7.75, HttpStatus = 200, CostUsd = 0.0012345678m,
                },
                executed.Samples[1], executed.Samples[2],
                executed.Samples[3] with { HttpStatus = 504 },
            ],
        };
        await Bus.Publish(executed);
        await ScoredAsync(1);

        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        var samples = await db.ExecutionSamples.AsNoTracking().Where(s => s.ExecutionId == executed.ExecutionId)
            .OrderBy(s => s.Iteration).ThenBy(s => s.ItemId).ToListAsync();
        Assert.Equal(4, samples.Count);
        var full = samples[0];
        Assert.Equal((0, "q1", "The answer is 5.", "5", 100.0), (full.Iteration, full.ItemId, full.Output, full.Expected, full.DurationMs));
        Assert.Equal((40.25, 1.5, 0.125), (full.TtftMs!.Value, full.ConnectMs!.Value, full.RequestWriteMs!.Value));
        Assert.Equal((10L, 5L, 3L, true), (full.InputTokens, full.OutputTokens, full.CachedInputTokens!.Value, full.TokensReported));
        Assert.Equal(0.0012345678m, full.CostUsd);
        Assert.Equal((12.5, 7.75, 200), (full.PeakMemoryMb!.Value, full.CpuTimeMs!.Value, full.HttpStatus!.Value));
        Assert.Equal((1.0, true), (full.Score!.Value, full.Correct!.Value));
        Assert.False(string.IsNullOrEmpty(full.Reason));
        Assert.Null(full.ErrorKind);
        Assert.Null(full.Error);
        Assert.Null(full.Judgement);

        var bare = samples[1];
        Assert.Equal((0, "q2", "20", "19"), (bare.Iteration, bare.ItemId, bare.Output, bare.Expected));
        Assert.Null(bare.TtftMs);
        Assert.Null(bare.ConnectMs);
        Assert.Null(bare.RequestWriteMs);
        Assert.Null(bare.CachedInputTokens);
        Assert.Null(bare.PeakMemoryMb);
        Assert.Null(bare.CpuTimeMs);
        Assert.Null(bare.HttpStatus);
        Assert.Equal((0.0, false), (bare.Score!.Value, bare.Correct!.Value));

        var failed = samples[3];
        Assert.Equal((1, "q2", (string?)null), (failed.Iteration, failed.ItemId, failed.Output));
        Assert.Equal(("timeout", "agent did not answer", 504), (failed.ErrorKind, failed.Error, failed.HttpStatus!.Value));
        Assert.Equal(0m, failed.CostUsd);
    }

    [Fact]
    public void The_bus_does_not_send_usage_telemetry_to_MassTransits_maintainers()
    {
        // BenchMesh.Messaging's convention for every service: MassTransit's own default is to report (8.4 and later).
        var telemetry = _factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<UsageTelemetryOptions>>().Value;
        Assert.False(telemetry.Enabled);
    }

    [Fact]
    public void The_samples_copy_writes_every_column_of_the_model_but_the_identity()
    {
        // A property added to ExecutionSample must be added to the copy too, or it would be silently left null.
        using var scope = _factory.Services.CreateScope();
        var entity = scope.ServiceProvider.GetRequiredService<ScoringDbContext>().Model.FindEntityType(typeof(ExecutionSample))!;
        var table = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table("execution_samples", ScoringDbContext.Schema);
        var columns = entity.GetProperties().Where(p => !p.IsPrimaryKey()).Select(p => p.GetColumnName(table)!).Order().ToList();
        Assert.Equal(columns, ExecutionSampleCopy.Columns.Order().ToList());
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

        // Both deliveries finished (the consume observer sees each after its transaction), then the outbox emptied: a
        // second ExecutionScored would be in the probe's queue by now (the relay marks a row sent once the broker confirmed it).
        await _factory.Services.GetRequiredService<ConsumedMessages>().WaitForAsync<BenchmarkExecuted>(2, Timeout);
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
            return !await db.OutboxMessages.AnyAsync(m => m.SentAt == null);
        }, Timeout, "the outbox to be empty");

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
                     // The specification's columns (§1.2) beside them.
                     "id", "workspace_id", "execution_environment", "model_configuration", "start_time", "end_time", "total_duration_ms",
                     "memory_peak_mb", "cpu_usage_percent", "output_correctness", "output_completeness", "output_relevance",
                     "percentile_rank", "deviation_from_baseline", "error_details", "completion_status",
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

    [Fact]
    public async Task A_schema_2_execution_fills_the_specifications_columns_and_its_profile_is_served()
    {
        var executed = Execution();
        var phases = executed.Samples.Select(x => x.ErrorKind is null ? x with { ConnectMs = 2, RequestWriteMs = 1, TimeToFirstTokenMs = x.DurationMs / 2, CachedInputTokens = 4 } : x).ToList();
        executed = executed with
        {
            Agent = executed.Agent with { WorkspaceId = "team-a", ModelConfigurationJson = """{"model":"calc-1","temperature":0}""" },
            Benchmark = executed.Benchmark with
            {
                Baselines = [new BaselineScores { Scores = new Dictionary<string, double> { ["accuracy_score"] = 0.4, ["reliability"] = 0.85 } }],
            },
            Concurrency = 2,
            RequestedAt = executed.StartedAt.AddSeconds(-3),
            Environment = new ExecutionEnvironment
            {
                WorkerId = "worker-1", Host = "runner-host", Runtime = ".NET 10", Transport = "http/1.1", EndpointFingerprint = "0123456789abcdef",
            },
            Warmup = new WarmupUsage { Calls = 2, InputTokens = 20, OutputTokens = 10, CostUsd = 0.002m, DurationMs = 400 },
            Samples = phases,
        };
        await Bus.Publish(executed);
        await ScoredAsync(1);

        _client.WithCaller("team-a"); // the agent's workspace
        using var results = await GetJsonAsync($"/benchmarks/agents/{executed.Agent.AgentId}/results?timeframe=all");
        var row = Assert.Single(results.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(executed.ExecutionId, row.GetProperty("id").GetGuid());
        Assert.Equal("team-a", row.GetProperty("workspace_id").GetString());
        Assert.Equal("http/1.1", row.GetProperty("execution_environment").GetProperty("transport").GetString());
        Assert.Equal("calc-1", row.GetProperty("model_configuration").GetProperty("model").GetString());
        Assert.Equal(executed.StartedAt, row.GetProperty("start_time").GetDateTimeOffset());
        Assert.Equal(executed.CompletedAt, row.GetProperty("end_time").GetDateTimeOffset());
        Assert.Equal(60_000, row.GetProperty("total_duration_ms").GetInt64());
        Assert.Equal("success", row.GetProperty("status").GetString());
        Assert.Equal("completed", row.GetProperty("completion_status").GetString());
        Assert.Equal("timeout: agent did not answer", row.GetProperty("error_details").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("memory_peak_mb").ValueKind);     // a remote agent
        Assert.Equal(JsonValueKind.Null, row.GetProperty("cpu_usage_percent").ValueKind);
        Assert.Equal(2.0 / 3, row.GetProperty("output_correctness").GetDouble(), 9);     // q1 twice right, q2 once wrong
        Assert.Equal(3.0 / 4, row.GetProperty("output_completeness").GetDouble(), 9);    // the timeout produced nothing
        Assert.Equal(2.0 / 3, row.GetProperty("output_relevance").GetDouble(), 9);
        Assert.Equal(50, row.GetProperty("percentile_rank").GetDouble(), 9);             // alone in its window
        Assert.Equal(((0.5 - 0.4) + (0.75 - 0.85)) / 2, row.GetProperty("deviation_from_baseline").GetDouble(), 9);
        Assert.Equal(2, row.GetProperty("concurrency").GetInt32());
        Assert.Equal(2, row.GetProperty("warmup_calls").GetInt32());
        Assert.True(row.GetProperty("scoring_ms").GetDouble() >= 0);

        // The persistence time is recorded once the transaction has committed, just after the event was queued.
        var profile = await Eventually.GetAsync(async () =>
        {
            var body = await GetJsonAsync($"/benchmarks/executions/{executed.ExecutionId}/profile");
            if (Phase(body.RootElement, "persistence").GetProperty("duration_ms").ValueKind == JsonValueKind.Number)
            {
                return body;
            }

            body.Dispose();
            return null;
        }, Timeout, "the persistence time in the profile");
        using (profile)
        {
            var root = profile.RootElement;
            Assert.Equal(executed.ExecutionId, root.GetProperty("execution_id").GetGuid());
            var data = root.GetProperty("profile_data");
            Assert.Equal(3000, Phase(root, "queue_wait").GetProperty("duration_ms").GetDouble(), 6);
            Assert.Equal(400, Phase(root, "warm_up").GetProperty("duration_ms").GetDouble(), 6);
            Assert.Equal(6, Phase(root, "connect").GetProperty("duration_ms").GetDouble(), 6);          // 3 calls × 2 ms
            Assert.Equal(300 - 9, Phase(root, "time_to_first_token").GetProperty("duration_ms").GetDouble(), 6); // (50 + 150 + 100) − 3 × 3
            Assert.Equal(JsonValueKind.Number, Phase(root, "scoring").GetProperty("duration_ms").ValueKind);
            Assert.Equal(6, Phase(root, "persistence").GetProperty("resource_usage").GetProperty("io_operations").GetInt64());
            Assert.Equal(100, data.GetProperty("execution_phases").EnumerateArray()
                .Sum(p => p.GetProperty("percentage_of_total").ValueKind == JsonValueKind.Number ? p.GetProperty("percentage_of_total").GetDouble() : 0), 6);
            var tokens = data.GetProperty("token_analysis");
            Assert.Equal(30, tokens.GetProperty("input_tokens").GetInt64());
            Assert.Equal(15, tokens.GetProperty("output_tokens").GetInt64());
            Assert.Equal(12, tokens.GetProperty("cache_hits").GetInt64());
            Assert.Equal(30 + 15, tokens.GetProperty("wasted_tokens").GetInt64());                // warm-ups 30 + q2's wrong answer 15
            Assert.Equal(2, data.GetProperty("resource_utilization").GetProperty("configured_concurrency").GetInt32());
            Assert.Equal(JsonValueKind.Array, data.GetProperty("bottlenecks").ValueKind);
            Assert.Equal(JsonValueKind.Array, root.GetProperty("optimization_opportunities").ValueKind);
        }
    }

    [Fact]
    public async Task A_process_agents_memory_and_cpu_are_stored_and_profiled()
    {
        var executed = Execution();
        executed = executed with
        {
            Samples = executed.Samples.Select(x => x.ErrorKind is null ? x with { PeakMemoryMb = x.DurationMs / 10, CpuTimeMs = x.DurationMs / 4 } : x).ToList(),
        };
        await Bus.Publish(executed);
        await ScoredAsync(1);

        using var results = await GetJsonAsync($"/benchmarks/agents/{executed.Agent.AgentId}/results?timeframe=all");
        var row = Assert.Single(results.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(30, row.GetProperty("memory_peak_mb").GetDouble(), 9);     // the 300 ms call's 30 MiB
        Assert.Equal(25, row.GetProperty("cpu_usage_percent").GetDouble(), 9);  // a quarter of each call's wall time

        using var profile = await GetJsonAsync($"/benchmarks/executions/{executed.ExecutionId}/profile");
        var utilization = profile.RootElement.GetProperty("profile_data").GetProperty("resource_utilization");
        Assert.Equal(0.25, utilization.GetProperty("cpu_efficiency").GetDouble(), 9);
        Assert.Equal(20.0 / 30, utilization.GetProperty("memory_efficiency").GetDouble(), 9); // mean of 10, 30, 20 over 30
        Assert.Equal(30, Phase(profile.RootElement, "generation").GetProperty("resource_usage").GetProperty("memory_mb").GetDouble(), 9);
    }

    [Fact]
    public async Task A_model_graded_execution_uses_the_judges_grades_and_counts_the_judge_apart()
    {
        var executed = Execution();
        Judgement Grade(double? score) => new()
        {
            Score = score, Reason = score is null ? null : "graded", Error = score is null ? "no grade in the answer" : null,
            JudgeAgentId = Guid.NewGuid(), JudgeVersion = "1", PromptSha256 = new string('c', 64),
            InputTokens = 100, OutputTokens = 5, CostUsd = 0.01m, DurationMs = 50,
        };
        executed = executed with
        {
            Benchmark = executed.Benchmark with { RubricJson = """{"type":"model_graded","judge_agent_id":"0b1c7ad0-1111-4111-8111-000000000001","pass_threshold":0.7}""" },
            Samples =
            [
                executed.Samples[0] with { Judgement = Grade(0.9) }, executed.Samples[1] with { Judgement = Grade(0.6) },
                executed.Samples[2] with { Judgement = Grade(null) }, executed.Samples[3],
            ],
        };
        await Bus.Publish(executed);

        var message = (await ScoredAsync(1))[0].GetProperty("message");
        // 0.9, 0.6 and the timed-out call's 0; the ungradable one is left out, not a 0.
        Assert.Equal(1.5 / 3, message.GetProperty("scores").GetProperty("accuracyScore").GetDouble(), 9);

        using var results = await GetJsonAsync($"/benchmarks/agents/{executed.Agent.AgentId}/results?timeframe=all");
        var row = Assert.Single(results.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(45, row.GetProperty("tokens_used").GetInt64());                  // the agent's tokens only
        Assert.Equal(0.003m, row.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(3, row.GetProperty("judge_calls").GetInt32());
        Assert.Equal(1, row.GetProperty("judge_ungradable").GetInt32());
        Assert.Equal(300, row.GetProperty("judge_input_tokens").GetInt64());
        Assert.Equal(0.03m, row.GetProperty("judge_cost_usd").GetDecimal());
        Assert.Equal(2.0 / 4, row.GetProperty("output_completeness").GetDouble(), 9);
        Assert.Equal(1.0 / 2, row.GetProperty("output_correctness").GetDouble(), 9);  // 0.9 passes 0.7, 0.6 does not

        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        var samples = await db.ExecutionSamples.Where(x => x.ExecutionId == executed.ExecutionId).OrderBy(x => x.Iteration).ThenBy(x => x.ItemId).ToListAsync();
        Assert.Equal([true, false, null, false], samples.Select(x => x.Correct));
        Assert.Null(samples[2].Score);
        Assert.Contains("no grade in the answer", samples[2].Reason);
        using var judgement = JsonDocument.Parse(samples[0].Judgement!);
        Assert.Equal(new string('c', 64), judgement.RootElement.GetProperty("prompt_sha256").GetString());

        using var profile = await GetJsonAsync($"/benchmarks/executions/{executed.ExecutionId}/profile");
        var judge = profile.RootElement.GetProperty("profile_data").GetProperty("token_analysis").GetProperty("judge");
        Assert.Equal(3, judge.GetProperty("calls").GetInt32());
        Assert.Equal(15, judge.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task A_schema_1_execution_is_scored_and_profiled_with_what_it_carries()
    {
        var executed = Execution() with { SchemaVersion = 1 };
        await Bus.Publish(executed);
        await ScoredAsync(1);

        using var profile = await GetJsonAsync($"/benchmarks/executions/{executed.ExecutionId}/profile");
        Assert.Equal(JsonValueKind.Null, Phase(profile.RootElement, "queue_wait").GetProperty("duration_ms").ValueKind);
        Assert.Equal(JsonValueKind.Null, Phase(profile.RootElement, "connect").GetProperty("duration_ms").ValueKind);
        Assert.Equal(JsonValueKind.Number, Phase(profile.RootElement, "generation").GetProperty("duration_ms").ValueKind);

        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ScoringDbContext>();
        var row = await db.BenchmarkExecutions.SingleAsync(e => e.ExecutionId == executed.ExecutionId);
        Assert.Equal(1, row.MessageSchemaVersion);
        Assert.Null(row.ExecutionEnvironment);
        Assert.Null(row.WarmupCalls);
        Assert.Equal(1, row.Concurrency);
    }

    [Fact]
    public async Task Percentile_rank_places_an_execution_among_the_same_benchmarks_recent_ones()
    {
        var first = Execution();
        await Bus.Publish(first);
        await ScoredAsync(1);
        // The same benchmark, every call right: a better overall score than the first.
        var second = Execution(first.Agent.AgentId, first.SuiteId, first.Benchmark.BenchmarkId);
        second = second with { Samples = second.Samples.Select(x => x with { Output = x.ItemId == "q1" ? "5" : "19", ErrorKind = null, Error = null, DurationMs = 100 }).ToList() };
        await Bus.Publish(second);
        await ScoredAsync(2);

        using var results = await GetJsonAsync($"/benchmarks/agents/{first.Agent.AgentId}/results?timeframe=all");
        var ranks = results.RootElement.GetProperty("results").EnumerateArray()
            .ToDictionary(r => r.GetProperty("id").GetGuid(), r => r.GetProperty("percentile_rank").GetDouble());
        Assert.Equal(50, ranks[first.ExecutionId], 9);   // alone when it was scored
        Assert.Equal(75, ranks[second.ExecutionId], 9);  // above the one other: (1 + 0.5) / 2
    }

    [Theory]
    [InlineData("not-a-guid", HttpStatusCode.BadRequest)]
    [InlineData("0b1c7ad0-1111-4111-8111-00000000dead", HttpStatusCode.NotFound)]
    public async Task A_malformed_or_unknown_execution_id_is_a_problem(string id, HttpStatusCode status)
    {
        var response = await _client.GetAsync($"/benchmarks/executions/{id}/profile");

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        if (status == HttpStatusCode.BadRequest)
        {
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("execution_id", out _));
        }
    }

    private static JsonElement Phase(JsonElement profile, string name) =>
        profile.GetProperty("profile_data").GetProperty("execution_phases").EnumerateArray().Single(p => p.GetProperty("phase_name").GetString() == name);

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
