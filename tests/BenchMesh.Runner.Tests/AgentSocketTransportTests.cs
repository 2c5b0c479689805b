using BenchMesh.Contracts.Runs;
using BenchMesh.Outbound;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Tests.Support;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The runner's socket path (<see cref="AgentSocketTransport"/>) through the agent clients, against an agent on Python's
/// socketserver that writes its answers byte by byte. Timing is asserted by lower bounds and ordering only. Every test
/// runs on both of the transport's connections: on its own event loop (<see cref="EventLoopAgentSocketTransportTests"/>,
/// Linux) and over .NET's sockets (<see cref="DotNetSocketsAgentSocketTransportTests"/>).
/// </summary>
public abstract class AgentSocketTransportTests(TimingAgentFixture fixture, bool eventLoop) : IClassFixture<TimingAgentFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private TimingPythonAgent Agent => fixture.Agent;

    private AgentSocketTransport Transport(OutboundGuard guard)
    {
        var transport = new AgentSocketTransport(guard, eventLoop);
        // The event loop is Linux's (x86-64, arm64): where it is not to be had, the transport says so and uses .NET's sockets.
        Assert.Equal(eventLoop && OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture
            is System.Runtime.InteropServices.Architecture.X64 or System.Runtime.InteropServices.Architecture.Arm64, transport.UsesEventLoop);
        return transport;
    }

    private static OutboundGuard Guard(bool loopback = true, HostResolver? resolver = null) =>
        new(Options.Create(new OutboundOptions { AllowLoopback = loopback }), resolver ?? OutboundGuard.SystemResolver);

    private static AgentCall Call(string endpoint) => new(endpoint, "What is 2 + 3?", "{}", null, null, Timeout);

    [Fact]
    public async Task A_streamed_answer_is_timed_from_the_request_written_ttft_at_the_first_content_chunk()
    {
        using var transport = Transport(Guard());
        var client = new OpenAiChatAgentClient(new PlainHttpClientFactory(), transport);

        // The head and a role-only chunk come after 100 ms, the first content after 200 ms, the rest 300 ms later.
        var result = await client.CallAsync(Call($"{Agent.BaseUrl}/stream?first=200&rest=300"), default);

        Assert.Null(result.ErrorKind);
        Assert.Equal("first rest", result.Output);
        Assert.Equal(2, result.OutputTokens);
        Assert.NotNull(result.TimeToFirstTokenMs);
        Assert.True(result.TimeToFirstTokenMs >= 200, $"TTFT {result.TimeToFirstTokenMs} ms is before the first content chunk was sent.");
        Assert.True(result.DurationMs >= 500, $"Latency {result.DurationMs} ms is before the last chunk was sent.");
        Assert.True(result.TimeToFirstTokenMs <= result.DurationMs);
        Assert.NotNull(result.ConnectMs);
        Assert.NotNull(result.RequestWriteMs);
    }

    [Fact]
    public async Task Calls_reuse_a_kept_alive_connection()
    {
        using var transport = Transport(Guard());
        var client = new HttpJsonAgentClient(new PlainHttpClientFactory(), transport);

        var outputs = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            var result = await client.CallAsync(Call($"{Agent.BaseUrl}/json"), default);
            Assert.Null(result.ErrorKind);
            Assert.Equal(200, result.HttpStatus);
            outputs.Add(result.Output);
        }

        Assert.Single(outputs.Distinct());
        Assert.Equal(1, transport.ConnectionsOpened);
    }

    [Fact]
    public async Task A_server_that_closes_the_connection_costs_a_new_one_not_a_failure()
    {
        using var transport = Transport(Guard());
        var client = new HttpJsonAgentClient(new PlainHttpClientFactory(), transport);

        // "Connection: close": the connection is not kept.
        for (var i = 0; i < 3; i++)
        {
            Assert.Null((await client.CallAsync(Call($"{Agent.BaseUrl}/close"), default)).ErrorKind);
        }

        Assert.Equal(3, transport.ConnectionsOpened);

        // Kept alive by its headers but closed by the server: the next call finds it closed before any answer and is
        // sent again on a new connection.
        for (var i = 0; i < 3; i++)
        {
            Assert.Null((await client.CallAsync(Call($"{Agent.BaseUrl}/drop"), default)).ErrorKind);
        }

        Assert.Equal(6, transport.ConnectionsOpened);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public async Task Garbage_or_a_truncated_body_is_a_recorded_failure(string path)
    {
        using var transport = Transport(Guard());
        var client = new HttpJsonAgentClient(new PlainHttpClientFactory(), transport);

        var result = await client.CallAsync(Call($"{Agent.BaseUrl}/{path}"), default);

        Assert.Equal(SampleErrorKinds.InvalidResponse, result.ErrorKind);
        Assert.False(string.IsNullOrEmpty(result.Error));
        // The connection is not reused after it: the next call on a good path answers.
        Assert.Null((await client.CallAsync(Call($"{Agent.BaseUrl}/json"), default)).ErrorKind);
    }

    [Fact]
    public async Task The_outbound_guard_refuses_on_the_socket_path_before_connecting()
    {
        var resolver = new MappedResolver().Map("agent.socket.test", "127.0.0.1");
        using var refusing = Transport(Guard(loopback: false, resolver));
        var refused = await new HttpJsonAgentClient(new PlainHttpClientFactory(), refusing)
            .CallAsync(Call($"http://agent.socket.test:{Agent.Port}/json"), default);

        Assert.Equal(SampleErrorKinds.AddressNotAllowed, refused.ErrorKind);
        Assert.Contains("agent.socket.test", refused.Error);
        Assert.Equal(0, refusing.ConnectionsOpened);

        using var allowing = Transport(Guard(loopback: true, resolver));
        var answered = await new HttpJsonAgentClient(new PlainHttpClientFactory(), allowing)
            .CallAsync(Call($"http://agent.socket.test:{Agent.Port}/json"), default);
        Assert.Null(answered.ErrorKind);
        Assert.Equal(1, allowing.ConnectionsOpened);
    }

    [Fact]
    public async Task Https_takes_the_HttpClient_path()
    {
        using var transport = Transport(Guard());
        var client = new HttpJsonAgentClient(new PlainHttpClientFactory(), transport);

        // The agent speaks plain HTTP, so HttpClient's TLS handshake fails, and the socket path never connected. How it
        // fails is the agent's doing: it answers the ClientHello as a malformed request (a connection failure), or waits
        // for a request line that never comes (the call's timeout; seen once in CI under load). Either is the fallback's.
        var result = await client.CallAsync(Call($"https://127.0.0.1:{Agent.Port}/json"), default);

        Assert.Contains(result.ErrorKind, new[] { SampleErrorKinds.Connection, SampleErrorKinds.Timeout });
        Assert.Equal(0, transport.ConnectionsOpened);
    }

    [Fact]
    public async Task A_call_past_its_timeout_is_a_timeout_and_the_next_call_answers()
    {
        using var transport = Transport(Guard());
        var client = new HttpJsonAgentClient(new PlainHttpClientFactory(), transport);

        // The head comes after 1 s: the call's 300 ms run out first, and its connection is closed under it.
        var late = await client.CallAsync(Call($"{Agent.BaseUrl}/stream?first=2000&rest=0") with { Timeout = TimeSpan.FromMilliseconds(300) }, default);

        Assert.Equal(SampleErrorKinds.Timeout, late.ErrorKind);
        Assert.True(late.DurationMs < 1000, $"The timed-out call took {late.DurationMs} ms.");
        var next = await client.CallAsync(Call($"{Agent.BaseUrl}/json"), default);
        Assert.Null(next.ErrorKind);
        Assert.Equal(2, transport.ConnectionsOpened);
    }

    [Fact]
    public async Task Concurrent_calls_each_get_their_own_answer_on_at_most_one_connection_each()
    {
        using var transport = Transport(Guard());
        var client = new HttpJsonAgentClient(new PlainHttpClientFactory(), transport);

        // 24 at a time, 4 rounds: every answer complete and parsed, and connections reused across rounds.
        for (var round = 0; round < 4; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => client.CallAsync(Call($"{Agent.BaseUrl}/json"), default)));
            Assert.All(results, r =>
            {
                Assert.Null(r.ErrorKind);
                Assert.StartsWith("conn-", r.Output);
            });
        }

        Assert.InRange(transport.ConnectionsOpened, 1, 24 * 4 - 1);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_a_connection_failure()
    {
        using var transport = Transport(Guard());
        var client = new HttpJsonAgentClient(new PlainHttpClientFactory(), transport);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // the port is free, and refuses

        var result = await client.CallAsync(Call($"http://127.0.0.1:{port}/json"), default);

        Assert.Equal(SampleErrorKinds.Connection, result.ErrorKind);
        Assert.Equal(0, transport.ConnectionsOpened);
    }
}

/// <summary>The transport on its own event loop (the default on Linux).</summary>
public sealed class EventLoopAgentSocketTransportTests(TimingAgentFixture fixture) : AgentSocketTransportTests(fixture, eventLoop: true);

/// <summary>The transport over .NET's sockets (where the event loop is not to be had).</summary>
public sealed class DotNetSocketsAgentSocketTransportTests(TimingAgentFixture fixture) : AgentSocketTransportTests(fixture, eventLoop: false);

/// <summary>One timing agent for the class (a Python start is slow on a loaded machine).</summary>
public sealed class TimingAgentFixture : IAsyncLifetime
{
    public TimingPythonAgent Agent { get; private set; } = null!;

    public async Task InitializeAsync() => Agent = await TimingPythonAgent.StartAsync();

    public async Task DisposeAsync() => await Agent.DisposeAsync();
}
