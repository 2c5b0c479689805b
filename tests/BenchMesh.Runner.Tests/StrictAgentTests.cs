using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Consumers;
using BenchMesh.Runner.Tests.Support;
using BenchMesh.Testing;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The runner against an agent on Python's <c>http.server</c>, which reads exactly <c>Content-Length</c> bytes and
/// keeps connections alive: request bodies must carry their length and be sent as written.
/// </summary>
public sealed class StrictAgentTests(Infrastructure infrastructure) : IClassFixture<Infrastructure>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Http_json_requests_carry_content_length_and_utf8_as_written()
    {
        await using var agent = await StrictPythonAgent.StartAsync();
        var client = new HttpJsonAgentClient(new PlainHttpClientFactory());

        var sum = await client.CallAsync(new AgentCall($"{agent.BaseUrl}/agent", "What is 2+3?", "{}", null, null, Timeout), default);
        var reversed = await client.CallAsync(new AgentCall($"{agent.BaseUrl}/agent", "Reverse: café <ü> & ✓", "{}", null, null, Timeout), default);

        Assert.Null(sum.ErrorKind);
        Assert.Equal("5", sum.Output);
        Assert.Equal("✓ & >ü< éfac", reversed.Output);
        Assert.Equal(1, sum.CachedInputTokens); // usage.cached_tokens
        Assert.NotNull(sum.ConnectMs);
        Assert.NotNull(sum.RequestWriteMs);
        Assert.InRange(sum.ConnectMs!.Value + sum.RequestWriteMs!.Value, 0, sum.DurationMs);

        var requests = agent.Requests();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(r.Body).ToString(), r.Headers["Content-Length"]);
            Assert.DoesNotContain("Transfer-Encoding", r.Headers.Keys);
            Assert.DoesNotContain("\\u", r.Body);
        });
        Assert.Contains("\"input\":\"What is 2+3?\"", requests[0].Body);
        Assert.Contains("\"input\":\"Reverse: café <ü> & ✓\"", requests[1].Body);
        Assert.Equal("application/json; charset=utf-8", requests[0].Headers["Content-Type"]);
    }

    [Fact]
    public async Task Openai_chat_sends_an_items_message_list_as_the_messages_and_reads_cached_tokens()
    {
        await using var agent = await StrictPythonAgent.StartAsync();
        var client = new OpenAiChatAgentClient(new PlainHttpClientFactory());
        const string messages = """[{"role":"system","content":"Answer with the number only."},{"role":"user","content":"What is 6*7?"}]""";

        var fromMessages = await client.CallAsync(
            new AgentCall(agent.BaseUrl, "What is 6*7?", """{"model":"strict"}""", null, null, Timeout) { MessagesJson = messages }, default);
        var fromInput = await client.CallAsync(new AgentCall(agent.BaseUrl, "What is 1+1?", "{}", null, null, Timeout), default);

        Assert.Null(fromMessages.ErrorKind);
        Assert.Equal("42", fromMessages.Output);
        Assert.Equal(8, fromMessages.InputTokens); // the words of both messages (5 + 3), as the agent counts them
        Assert.Equal(2, fromMessages.CachedInputTokens); // usage.prompt_tokens_details.cached_tokens
        Assert.Equal("2", fromInput.Output);

        var requests = agent.Requests();
        Assert.All(requests, r => Assert.EndsWith("/v1/chat/completions", r.Path));
        using var first = JsonDocument.Parse(requests[0].Body);
        Assert.Equal(JsonDocument.Parse(messages).RootElement.GetRawText(), first.RootElement.GetProperty("messages").GetRawText());
        using var second = JsonDocument.Parse(requests[1].Body);
        var single = Assert.Single(second.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", single.GetProperty("role").GetString());
        Assert.Equal("What is 1+1?", single.GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_perfect_strict_agent_scores_every_sample_right_through_a_run_without_desynchronising()
    {
        await using var agent = await StrictPythonAgent.StartAsync();
        await using var host = await RunnerHost.StartAsync(infrastructure, "strict");
        await using var bus = await BusObserver.StartAsync(host.RabbitMqUri);
        var http = host.CreateClient().WithCaller();
        var httpJson = host.Catalog.AddAgent(AgentProtocols.HttpJson, $"{agent.BaseUrl}/agent");
        var openAi = host.Catalog.AddAgent(AgentProtocols.OpenAiChat, agent.BaseUrl);
        var items = new[]
        {
            ("q1", "What is 2+3?", "5"), ("q2", "What is 12 * 7?", "84"), ("q3", "Reverse: café ✓", "✓ éfac"),
            ("q4", "Uppercase: straße", "STRASSE"), ("q5", "What is 100-1?", "99"), ("q6", "Reverse: \"quoted\" \\ text", "txet \\ \"detouq\""),
        };
        var suite = host.Catalog.AddSuite(FakeSuiteCatalog.Benchmark("strict", items));

        // The specification's defaults (3 warm-ups, 5 measured passes), two calls at a time, over kept-alive connections.
        var runs = new List<Guid>();
        foreach (var registered in new[] { httpJson, openAi })
        {
            using var response = await http.PostAsJsonAsync("/benchmarks/run", new
            {
                agent_id = registered.Snapshot.AgentId,
                suite_id = suite.SuiteId,
                configuration = new { concurrency = 2 },
            });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            runs.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetGuid());
        }

        await Eventually.TrueAsync(() => Task.FromResult(runs.All(id => bus.Executed.Any(e => e.RunId == id))), Wait, "both runs executed");
        foreach (var (executed, registered) in runs.Select(id => bus.Executed.Single(e => e.RunId == id)).Zip([httpJson, openAi]))
        {
            Assert.Equal(3, executed.WarmupRuns);
            Assert.Equal(5, executed.Iterations);
            Assert.Equal(5 * items.Length, executed.Samples.Count);
            Assert.All(executed.Samples, s => Assert.Null(s.ErrorKind));
            // Accuracy as the exact_match rubric counts it: every output is its item's expected answer.
            var expected = items.ToDictionary(i => i.Item1, i => i.Item3);
            Assert.Equal(1.0, executed.Samples.Count(s => s.Output == expected[s.ItemId]) / (double)executed.Samples.Count);
            Assert.All(executed.Samples, s => Assert.NotNull(s.CachedInputTokens));

            // What the execution says about itself.
            Assert.False(executed.TerminatedEarly);
            Assert.Null(executed.Termination);
            Assert.Equal(2, executed.Concurrency);
            Assert.NotNull(executed.RequestedAt);
            Assert.Equal(3 * items.Length, executed.Warmup!.Calls);
            Assert.True(executed.Warmup.InputTokens > 0);
            var environment = executed.Environment!;
            Assert.Equal("http/1.1", environment.Transport);
            Assert.Equal(executed.WorkerId, environment.WorkerId);
            Assert.Equal(Environment.MachineName, environment.Host);
            Assert.Contains(".NET", environment.Runtime);
            Assert.Equal(RunBenchmarkConsumer.EndpointFingerprint(registered.Snapshot), environment.EndpointFingerprint);
            Assert.Matches("^[0-9a-f]{16}$", environment.EndpointFingerprint);
        }

        // The run reports the configuration it used: the defaults it was not given.
        var configuration = (await http.GetRunAsync(runs[0])).GetProperty("configuration");
        Assert.Equal(3, configuration.GetProperty("warmup_runs").GetInt32());
        Assert.Equal(5, configuration.GetProperty("iterations").GetInt32());
        Assert.Equal(2, configuration.GetProperty("concurrency").GetInt32());
        Assert.Equal(20, configuration.GetProperty("max_consecutive_failures").GetInt32());

        // Every request arrived whole: (3 + 5) passes x 6 items for each of the two agents.
        var requests = agent.Requests();
        Assert.Equal(2 * 8 * items.Length, requests.Count);
        Assert.All(requests, r => Assert.DoesNotContain("Transfer-Encoding", r.Headers.Keys));
    }
}
