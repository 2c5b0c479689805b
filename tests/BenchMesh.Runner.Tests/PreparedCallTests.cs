using BenchMesh.Outbound;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Tests.Support;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// <see cref="IAgentClient.Prepare"/>: a call encoded once for all its passes sends, on every call, exactly what the
/// same call encoded afresh sends (headers and body, as the strict agent on Python's http.server read them), on the
/// socket path and on the HttpClient path; a copy with another value is not sent with the stale encoding; a call that
/// cannot be encoded still fails when made, as before.
/// </summary>
public sealed class PreparedCallTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static OutboundGuard Guard() =>
        new(Options.Create(new OutboundOptions { AllowLoopback = true }), OutboundGuard.SystemResolver);

    public static TheoryData<string, bool> Clients => new()
    {
        { "http-json", true },
        { "http-json", false },
        { "openai-chat", true },
        { "openai-chat", false },
    };

    private static HttpAgentClient Client(string protocol, AgentSocketTransport? transport) => protocol == "http-json"
        ? new HttpJsonAgentClient(new PlainHttpClientFactory(), transport)
        : new OpenAiChatAgentClient(new PlainHttpClientFactory(), transport);

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_prepared_call_sends_what_the_call_encoded_afresh_sends_on_every_call(string protocol, bool socketPath)
    {
        await using var agent = await StrictPythonAgent.StartAsync();
        using var transport = socketPath ? new AgentSocketTransport(Guard()) : null;
        var client = Client(protocol, transport);
        var call = new AgentCall($"{agent.BaseUrl}/agent", "Reverse: café <ü> & ✓", """{"model":"strict","temperature":0.5}""", 64, "key-123", Timeout)
        {
            MessagesJson = protocol == "openai-chat" ? """[{"role":"user","content":"What is 6*7?"}]""" : null,
        };
        var prepared = client.Prepare(call);
        Assert.NotNull(prepared.Prepared);

        var fresh = await client.CallAsync(call, default);
        var first = await client.CallAsync(prepared, default);
        var second = await client.CallAsync(prepared, default);

        Assert.Null(fresh.ErrorKind);
        Assert.Equal(fresh.Output, first.Output);
        Assert.Equal(fresh.Output, second.Output);
        var requests = agent.Requests();
        Assert.Equal(3, requests.Count);
        Assert.Equal("Bearer key-123", requests[0].Headers["Authorization"]);
        foreach (var request in requests.Skip(1))
        {
            Assert.Equal(requests[0].Path, request.Path);
            Assert.Equal(requests[0].Body, request.Body);
            Assert.Equal(Encoded(requests[0]), Encoded(request));
        }

        if (transport is not null)
        {
            Assert.True(transport.ConnectionsOpened >= 1); // the three took the socket path
        }
    }

    /// <summary>
    /// The headers the client encodes: HttpClient adds a trace context of its own to each request when tracing is on in
    /// the process (another test's listener), which is not part of the encoded request.
    /// </summary>
    private static Dictionary<string, string> Encoded(ReceivedRequest request) =>
        request.Headers.Where(h => h.Key is not ("traceparent" or "tracestate" or "Request-Id")).ToDictionary();

    [Fact]
    public async Task A_copy_of_a_prepared_call_with_other_values_is_encoded_again()
    {
        await using var agent = await StrictPythonAgent.StartAsync();
        using var transport = new AgentSocketTransport(Guard());
        var client = Client("http-json", transport);
        var prepared = client.Prepare(new AgentCall($"{agent.BaseUrl}/agent", "What is 2+3?", "{}", null, null, Timeout));

        var other = await client.CallAsync(prepared with { Input = "What is 4+4?" }, default);
        var keyed = await client.CallAsync(prepared with { ApiKey = "key-456" }, default);
        var same = await client.CallAsync(prepared, default);

        Assert.Equal("8", other.Output);
        Assert.Equal("5", keyed.Output);
        Assert.Equal("5", same.Output);
        var requests = agent.Requests();
        Assert.Contains("\"input\":\"What is 4+4?\"", requests[0].Body);
        Assert.Equal("Bearer key-456", requests[1].Headers["Authorization"]);
        Assert.DoesNotContain("Authorization", requests[2].Headers.Keys);
        Assert.Contains("\"input\":\"What is 2+3?\"", requests[2].Body);
    }

    [Fact]
    public async Task A_call_that_cannot_be_encoded_is_not_prepared_and_fails_when_made()
    {
        using var transport = new AgentSocketTransport(Guard());
        var client = Client("http-json", transport);
        var call = new AgentCall("not a url", "What is 2+3?", "{}", null, null, Timeout);

        var prepared = client.Prepare(call);
        var result = await client.CallAsync(prepared, default);
        var unprepared = await client.CallAsync(call, default);

        Assert.Same(call, prepared);
        Assert.NotNull(result.ErrorKind);
        Assert.Equal(unprepared.ErrorKind, result.ErrorKind);
        Assert.Equal(unprepared.Error, result.Error);
    }
}
