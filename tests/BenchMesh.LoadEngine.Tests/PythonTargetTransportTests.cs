using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// Both HTTP/1.1 transports (socket and epoll) against Python's http.server (<see cref="PythonTarget"/>), with the same
/// assertions: keep-alive and announced closes, chunked answers in pieces, an answer cut short, an answer later than
/// the timeout. Run through the engine (<see cref="LoadGenerator"/>), as the CLI and the Stress service run them.
/// </summary>
public sealed class PythonTargetTransportTests : IClassFixture<PythonTarget>
{
    private readonly PythonTarget _python;

    public PythonTargetTransportTests(PythonTarget python) => _python = python;

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    public async Task Kept_alive_answers_reuse_their_connections_and_announced_closes_are_replaced(TransportKind transport)
    {
        var before = await _python.ConnectionsAsync();
        var kept = await Closed(_python.Url("/ok"), transport, connections: 2, LoadProtocols.HttpJson);
        var afterKept = await _python.ConnectionsAsync();
        var closing = await Closed(_python.Url("/close"), transport, connections: 2, LoadProtocols.HttpJson);
        var afterClosing = await _python.ConnectionsAsync();

        Assert.Equal(Transports.NameOf(transport), kept.Generator.Transport);
        // http.server writes head and body apart, so Nagle's algorithm and delayed ACKs hold many answers back 40 ms.
        Assert.True(kept.Requests > 10, kept.Requests.ToString());
        Assert.Equal(kept.Requests, kept.Succeeded);
        Assert.Equal(2, afterKept - before);
        Assert.True(closing.Requests > 10, closing.Requests.ToString());
        Assert.Equal(closing.Requests, closing.Succeeded);
        // Every answer closed its connection: one connection per request (those interrupted at the end included).
        Assert.InRange(afterClosing - afterKept, closing.Requests, closing.Requests + 2);
    }

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    public async Task Chunked_answers_in_pieces_are_read_whole_and_checked(TransportKind transport)
    {
        var before = await _python.ConnectionsAsync();
        var result = await Closed(_python.Url("/chunked"), transport, connections: 2, LoadProtocols.HttpJson);
        var after = await _python.ConnectionsAsync();

        Assert.True(result.Requests > 10, result.Requests.ToString());
        Assert.Equal(result.Requests, result.Succeeded);
        Assert.Equal(result.Requests, result.StatusCodes["200"]);
        Assert.Equal(2, after - before);
    }

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    public async Task An_answer_cut_short_by_the_server_is_a_connection_reset(TransportKind transport)
    {
        var result = await Closed(_python.Url("/cut"), transport, connections: 2, LoadProtocols.Raw);

        Assert.True(result.Requests > 10, result.Requests.ToString());
        Assert.Equal(result.Requests, result.Errors[ErrorKinds.ConnectionReset]);
        Assert.Equal(0, result.Succeeded);
    }

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    public async Task An_answer_later_than_the_timeout_is_a_timeout_and_the_connection_is_replaced(TransportKind transport)
    {
        var stalled = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = _python.Url("/stall"),
            Rate = 10,
            Duration = TimeSpan.FromSeconds(1),
            Connections = 4,
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            Transport = transport,
        });

        Assert.Equal(10, stalled.Requests);
        Assert.Equal(10, stalled.Errors[ErrorKinds.Timeout]);
        Assert.InRange(stalled.LatencyMs.P50, 250, 1_500);
    }

    private static Task<LoadResult> Closed(Uri url, TransportKind transport, int connections, string protocol) => LoadGenerator.RunAsync(new LoadOptions
    {
        Url = url,
        Executor = ExecutorKind.ConstantConcurrency,
        Connections = connections,
        Duration = TimeSpan.FromMilliseconds(700),
        Request = new RequestSpec { Protocol = protocol },
        Transport = transport,
        GracefulStop = TimeSpan.FromSeconds(5),
    });
}
