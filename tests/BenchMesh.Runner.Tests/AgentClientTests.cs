using BenchMesh.Contracts.Agents;
using BenchMesh.Contracts.Runs;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Execution;
using BenchMesh.Runner.Tests.Support;

namespace BenchMesh.Runner.Tests;

/// <summary>The runner's agent clients against the real SampleAgents and against agents that misbehave.</summary>
public sealed class AgentClientTests(AgentServersFixture servers) : IClassFixture<AgentServersFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly HttpJsonAgentClient _httpJson = new(new PlainHttpClientFactory());
    private readonly OpenAiChatAgentClient _openAi = new(new PlainHttpClientFactory());

    private static AgentCall Call(string endpoint, string input = "What is 12 + 7?", string? apiKey = null, TimeSpan? timeout = null) =>
        new(endpoint, input, """{"model":"sample"}""", null, apiKey, timeout ?? Timeout);

    [Fact]
    public async Task Http_json_agent_answers_with_output_and_reported_usage()
    {
        var result = await _httpJson.CallAsync(Call($"{servers.SampleAgents.BaseUrl}/http-json/baseline?accuracy=1&latency_ms=40"), default);

        Assert.Null(result.ErrorKind);
        Assert.Equal("19", result.Output);
        Assert.Equal(7, result.InputTokens);
        Assert.Equal(1, result.OutputTokens);
        Assert.InRange(result.DurationMs, 35, 5000);
        Assert.Null(result.TimeToFirstTokenMs);
    }

    [Fact]
    public async Task Openai_chat_agent_streams_with_usage_and_time_to_first_token()
    {
        var result = await _openAi.CallAsync(
            Call($"{servers.SampleAgents.BaseUrl}/openai/fast", "Reverse: hello world") with { },
            default);
        // The profile's accuracy is 0.85: accept the right answer or the agent's known wrong one.
        Assert.Null(result.ErrorKind);
        Assert.Contains(result.Output, new[] { "dlrow olleh", "I don't know" });
        Assert.NotNull(result.InputTokens);
        Assert.NotNull(result.OutputTokens);

        var measured = await _openAi.CallAsync(
            Call($"{servers.SampleAgents.BaseUrl}/openai/fast?accuracy=1&latency_ms=60", "Uppercase: many words in this answer"), default);
        Assert.Null(measured.ErrorKind);
        Assert.Equal("MANY WORDS IN THIS ANSWER", measured.Output);
        Assert.Equal(7, measured.OutputTokens); // 5 words x 1.3, as SampleAgents reported it in the final chunk
        Assert.NotNull(measured.TimeToFirstTokenMs);
        Assert.InRange(measured.TimeToFirstTokenMs!.Value, 55, measured.DurationMs);
    }

    [Fact]
    public async Task Openai_chat_falls_back_to_a_plain_json_completion()
    {
        var result = await _openAi.CallAsync(Call($"{servers.Stub.BaseUrl}/json"), default);

        Assert.Null(result.ErrorKind);
        Assert.Equal("plain json", result.Output);
        Assert.Equal(3, result.InputTokens);
        Assert.Equal(2, result.OutputTokens);
        Assert.Null(result.TimeToFirstTokenMs);
    }

    [Fact]
    public async Task A_slow_agent_is_a_timeout_not_an_exception()
    {
        var result = await _httpJson.CallAsync(Call($"{servers.Stub.BaseUrl}/slow", timeout: TimeSpan.FromMilliseconds(300)), default);

        Assert.Equal(SampleErrorKinds.Timeout, result.ErrorKind);
        Assert.InRange(result.DurationMs, 250, 3000);
    }

    [Fact]
    public async Task A_500_is_an_http_status_failure_with_the_status()
    {
        var stub = await _httpJson.CallAsync(Call($"{servers.Stub.BaseUrl}/fail"), default);
        Assert.Equal(SampleErrorKinds.HttpStatus, stub.ErrorKind);
        Assert.Equal(500, stub.HttpStatus);
        Assert.Contains("boom", stub.Error);

        var sample = await _openAi.CallAsync(Call($"{servers.SampleAgents.BaseUrl}/openai/baseline?error_rate=1"), default);
        Assert.Equal(SampleErrorKinds.HttpStatus, sample.ErrorKind);
        Assert.Equal(500, sample.HttpStatus);
    }

    [Fact]
    public async Task Garbage_is_an_invalid_response()
    {
        var json = await _httpJson.CallAsync(Call($"{servers.Stub.BaseUrl}/garbage"), default);
        Assert.Equal(SampleErrorKinds.InvalidResponse, json.ErrorKind);

        var stream = await _openAi.CallAsync(Call($"{servers.Stub.BaseUrl}/garbage"), default);
        Assert.Equal(SampleErrorKinds.InvalidResponse, stream.ErrorKind);
    }

    [Fact]
    public async Task A_refused_connection_is_a_connection_failure()
    {
        var url = StubAgentServer.RefusingUrl();
        Assert.Equal(SampleErrorKinds.Connection, (await _httpJson.CallAsync(Call(url), default)).ErrorKind);
        Assert.Equal(SampleErrorKinds.Connection, (await _openAi.CallAsync(Call(url), default)).ErrorKind);
    }

    [Fact]
    public async Task The_api_key_is_sent_as_a_bearer_token()
    {
        var result = await _httpJson.CallAsync(Call($"{servers.Stub.BaseUrl}/echo-auth", apiKey: "sk-test"), default);
        Assert.Equal("Bearer sk-test", result.Output);
    }

    [Fact]
    public async Task Executor_counts_tokens_with_the_tokenizer_when_the_agent_reports_none()
    {
        var executor = new BenchmarkExecutor(new TokenCounter());
        var items = new[] { new DatasetItem { Id = "q1", Input = "What is the answer?" } };
        var plan = new ExecutionPlan(items, 0, 2, 1, 5, new Pricing(1_000_000m, 1_000_000m, 0m));

        var outcome = await executor.ExecuteAsync(plan, (item, ct) => _httpJson.CallAsync(Call($"{servers.Stub.BaseUrl}/no-usage", item.Input), ct), default);

        Assert.Equal(2, outcome.Samples.Count);
        Assert.All(outcome.Samples, s =>
        {
            Assert.False(s.TokensReportedByAgent);
            Assert.Equal(5, s.InputTokens);   // cl100k_base: "What| is| the| answer|?"
            Assert.Equal(5, s.OutputTokens);  // "The| answer| is| forty| two"
            Assert.Equal(10m, s.CostUsd);     // 1 USD per token each way
        });
    }

    [Fact]
    public async Task Executor_terminates_early_and_records_the_rest_as_skipped()
    {
        var executor = new BenchmarkExecutor(new TokenCounter());
        var items = Enumerable.Range(0, 5).Select(i => new DatasetItem { Id = $"q{i}", Input = $"What is {i} + 1?" }).ToList();
        var plan = new ExecutionPlan(items, 1, 3, 1, 3, Pricing.Free);
        var calls = 0;

        var outcome = await executor.ExecuteAsync(plan, (item, ct) =>
        {
            Interlocked.Increment(ref calls);
            return _httpJson.CallAsync(Call($"{servers.SampleAgents.BaseUrl}/http-json/fast?error_rate=1&latency_ms=1", item.Input), ct);
        }, default);

        Assert.True(outcome.TerminatedEarly);
        Assert.Equal(15, outcome.Samples.Count);
        Assert.Equal(3, outcome.Samples.Count(s => s.ErrorKind == SampleErrorKinds.HttpStatus));
        Assert.Equal(12, outcome.Samples.Count(s => s.ErrorKind == SampleErrorKinds.Skipped));
        Assert.Equal(3 + 3, calls); // 3 warm-up calls until the streak tripped, then 3 measured
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(i => items.Select(item => (i, item.Id))), outcome.Samples.Select(s => (s.Iteration, s.ItemId)));
    }

    [Fact]
    public async Task Executor_runs_iterations_times_items_with_concurrency()
    {
        var executor = new BenchmarkExecutor(new TokenCounter());
        var items = Enumerable.Range(0, 6).Select(i => new DatasetItem { Id = $"q{i}", Input = $"What is {i} + 1?" }).ToList();
        var plan = new ExecutionPlan(items, 1, 2, 3, 20, new Pricing(0m, 0m, 0.001m));
        var inFlight = 0;
        var maxInFlight = 0;

        var outcome = await executor.ExecuteAsync(plan, async (item, ct) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            try
            {
                return await _httpJson.CallAsync(Call($"{servers.SampleAgents.BaseUrl}/http-json/fast?accuracy=1&latency_ms=30", item.Input), ct);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }, default);

        Assert.False(outcome.TerminatedEarly);
        Assert.Equal(12, outcome.Samples.Count);
        Assert.All(outcome.Samples, s => Assert.Null(s.ErrorKind));
        Assert.Equal(items.Select((item, i) => (i + 1).ToString()), outcome.Samples.Take(6).Select(s => s.Output));
        Assert.All(outcome.Samples, s => Assert.Equal(0.001m, s.CostUsd));
        Assert.Equal(3, maxInFlight);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

/// <summary>The one place the runner and the stress engine build an openai-chat agent's URL.</summary>
public sealed class ChatCompletionsUrlTests
{
    [Theory]
    [InlineData("http://h:1/openai/baseline", "http://h:1/openai/baseline/v1/chat/completions")]
    [InlineData("http://h:1/openai/baseline/", "http://h:1/openai/baseline/v1/chat/completions")]
    [InlineData("http://h:1", "http://h:1/v1/chat/completions")]
    [InlineData("http://h:1/v1", "http://h:1/v1/chat/completions")]
    [InlineData("http://h:1/openai/v1/", "http://h:1/openai/v1/chat/completions")]
    [InlineData("http://h:1/v1/chat/completions", "http://h:1/v1/chat/completions")]
    [InlineData("https://h/deployments/gpt/chat/completions?api-version=2024-06-01", "https://h/deployments/gpt/chat/completions?api-version=2024-06-01")]
    [InlineData("http://h:1/openai/fast?latency_ms=5", "http://h:1/openai/fast/v1/chat/completions?latency_ms=5")]
    public void Appends_the_chat_completions_path_and_keeps_the_query(string endpoint, string expected) =>
        Assert.Equal(expected, AgentProtocols.ChatCompletionsUrl(endpoint));
}
