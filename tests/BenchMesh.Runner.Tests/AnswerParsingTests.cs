using BenchMesh.Contracts.Runs;
using BenchMesh.Outbound;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Tests.Support;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The socket path parses an http-json answer from its bytes (<c>HttpJsonAgentClient.ReadResponse</c>); the HttpClient
/// path still parses it from a stream, as both did before. On the same answers from a real server both give the same
/// result: output, usage, and the same failure in the same words.
/// </summary>
public sealed class AnswerParsingTests : IAsyncLifetime
{
    private StubAgentServer _stub = null!;

    public async Task InitializeAsync() => _stub = await StubAgentServer.StartAsync();

    public async Task DisposeAsync() => await _stub.DisposeAsync();

    [Theory]
    [InlineData("/bom")]
    [InlineData("/structured")]
    [InlineData("/no-usage")]
    [InlineData("/no-output")]
    [InlineData("/null-output")]
    [InlineData("/trailing")]
    [InlineData("/empty")]
    [InlineData("/escaped")]
    [InlineData("/garbage")]
    [InlineData("/fail")]
    public async Task An_answer_reads_the_same_from_its_bytes_as_from_a_stream(string path)
    {
        using var transport = new AgentSocketTransport(new OutboundGuard(Options.Create(new OutboundOptions { AllowLoopback = true }), OutboundGuard.SystemResolver));
        var call = new AgentCall($"{_stub.BaseUrl}{path}", "What is 2 + 3?", "{}", null, null, TimeSpan.FromSeconds(10));
        var bytes = await new HttpJsonAgentClient(new PlainHttpClientFactory(), transport).CallAsync(call, default);
        var stream = await new HttpJsonAgentClient(new PlainHttpClientFactory()).CallAsync(call, default);

        Assert.Equal(1, transport.ConnectionsOpened); // the first went through the socket path
        Assert.Equal(stream.Output, bytes.Output);
        Assert.Equal(stream.InputTokens, bytes.InputTokens);
        Assert.Equal(stream.OutputTokens, bytes.OutputTokens);
        Assert.Equal(stream.CachedInputTokens, bytes.CachedInputTokens);
        Assert.Equal(stream.ErrorKind, bytes.ErrorKind);
        Assert.Equal(stream.Error, bytes.Error);
        Assert.Equal(stream.HttpStatus, bytes.HttpStatus);
        if (path is "/bom" or "/structured" or "/escaped")
        {
            Assert.Null(bytes.ErrorKind);
        }
        else if (path != "/no-usage")
        {
            Assert.NotNull(bytes.ErrorKind);
        }
    }
}
