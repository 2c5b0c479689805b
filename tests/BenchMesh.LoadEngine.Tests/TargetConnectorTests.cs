using System.Net;
using System.Net.Sockets;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// <see cref="LoadOptions.Connector"/>, through which the Stress service's outbound guard opens every connection of a
/// run, and <see cref="LoadOptions.Resolver"/>, its check as addresses only, which the epoll transport connects to
/// itself: every transport connects through one of them, and a refusal (<see cref="SocketError.AccessDenied"/>) is counted as
/// <c>address_not_allowed</c> request by request, never thrown out of the run.
/// </summary>
public sealed class TargetConnectorTests(TestTargetFixture fixture) : IClassFixture<TestTargetFixture>
{
    private TestTarget Target => fixture.Target;

    private LoadOptions Load(TransportKind transport, TargetConnector connector) => new()
    {
        Url = Target.Url("/"),
        Rate = 50,
        Duration = TimeSpan.FromSeconds(1),
        Connections = 2,
        Transport = transport,
        Connector = connector,
    };

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    [InlineData(TransportKind.HttpClient)]
    public async Task Every_connection_is_opened_by_the_connector(TransportKind transport)
    {
        var hosts = new List<(string Host, int Port)>();
        var result = await LoadGenerator.RunAsync(Load(transport, async (host, port, ct) =>
        {
            lock (hosts)
            {
                hosts.Add((host, port));
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, ct);
            return socket;
        }));

        Assert.Equal(50, result.Requests);
        Assert.Equal(0, result.ErrorCount);
        Assert.InRange(hosts.Count, 1, 2);
        Assert.All(hosts, h => Assert.Equal((Target.BaseUrl.IdnHost, Target.BaseUrl.Port), h));
    }

    [Theory]
    [InlineData(TransportKind.Socket)]
    [InlineData(TransportKind.Epoll)]
    [InlineData(TransportKind.HttpClient)]
    public async Task A_refusing_connector_fails_every_request_as_address_not_allowed(TransportKind transport)
    {
        var result = await LoadGenerator.RunAsync(Load(transport, (_, _, _) => throw new SocketException((int)SocketError.AccessDenied)));

        Assert.Equal(50, result.Requests);
        Assert.Equal(50, result.ErrorCount);
        Assert.Equal(50, result.Errors[ErrorKinds.AddressNotAllowed]);
    }

    [Fact]
    public async Task The_epoll_transport_connects_itself_to_the_addresses_the_resolver_vetted_and_never_calls_the_connector()
    {
        var vetted = new List<string>();
        var connected = 0;
        var result = await LoadGenerator.RunAsync(Load(TransportKind.Epoll, (_, _, _) =>
        {
            Interlocked.Increment(ref connected);
            throw new InvalidOperationException("The epoll transport must not call the connector when it has a resolver.");
        }) with
        {
            Url = new Uri($"http://localhost:{Target.BaseUrl.Port}/"),
            Resolver = (host, _) =>
            {
                lock (vetted)
                {
                    vetted.Add(host);
                }

                return Task.FromResult(new[] { IPAddress.Loopback });
            },
        });

        Assert.Equal("epoll", result.Generator.Transport);
        Assert.Equal(50, result.Requests);
        Assert.Equal(0, result.ErrorCount);
        Assert.Equal(0, connected);
        Assert.InRange(vetted.Count, 1, 2);
        Assert.All(vetted, host => Assert.Equal("localhost", host));
    }

    [Fact]
    public async Task A_refusing_resolver_fails_every_epoll_request_as_address_not_allowed()
    {
        var result = await LoadGenerator.RunAsync(Load(TransportKind.Epoll, (_, _, _) => throw new InvalidOperationException("Not called.")) with
        {
            Resolver = (_, _) => throw new SocketException((int)SocketError.AccessDenied),
        });

        Assert.Equal(50, result.Requests);
        Assert.Equal(50, result.Errors[ErrorKinds.AddressNotAllowed]);
    }
}
