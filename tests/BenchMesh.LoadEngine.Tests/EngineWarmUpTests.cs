using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// The generator's warm-up (<see cref="LoadGenerator.WarmUpAsync"/>): it loads a responder of its own, never the target,
/// for either transport, and the run after it counts only its own requests.
/// </summary>
public sealed class EngineWarmUpTests
{
    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    [InlineData(TransportKind.HttpClient)]
    public async Task Warming_up_for_a_target_sends_it_nothing_and_the_next_run_counts_only_its_own_requests(TransportKind transport)
    {
        await using var server = new RawServer(async (_, stream) =>
        {
            await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return true;
        });

        await LoadGenerator.WarmUpAsync(server.Url, transport);

        Assert.Equal(0, server.Connections);
        Assert.Equal(0, server.Requests);

        var result = await LoadGenerator.RunAsync(new LoadOptions { Url = server.Url, Rate = 50, Duration = TimeSpan.FromSeconds(1), Connections = 2, Transport = transport });
        Assert.Equal(50, result.Requests);
        Assert.Equal(50, result.Succeeded);
        Assert.Equal(50, server.Requests);
        Assert.Equal(Transports.NameOf(transport), result.Generator.Transport);
    }
}
