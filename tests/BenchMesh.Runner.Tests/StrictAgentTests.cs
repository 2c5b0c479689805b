using System.Text.Json;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Tests.Support;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The runner against an agent on Python's <c>http.server</c>, which reads exactly <c>Content-Length</c> bytes and
/// keeps connections alive: request bodies must carry their length and be sent as written.
/// </summary>
public sealed class StrictAgentTests
{
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
}
