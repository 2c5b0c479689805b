using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Transport;
using BenchMesh.LoadEngine.Transport.Epoll;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// BenchMesh's HTTP/1.1 client against real loopback servers: Kestrel for well-behaved answers, <see cref="RawServer"/>
/// for exact bytes (pieces, no length, closed connections, garbage). Every test runs on both of its transports, the
/// socket transport on System.Net.Sockets (<see cref="Http11Transport"/>, <see cref="SocketTransportTests"/>) and the one
/// on its own epoll loop (<see cref="EpollTransport"/>, <see cref="EpollTransportTests"/>), with the same assertions.
/// </summary>
public abstract class Http11TransportTests(TestTargetFixture fixture) : IClassFixture<TestTargetFixture>
{
    private const string Json = "{\"output\":\"5\"}";

    /// <summary>The transport under test.</summary>
    protected abstract TransportKind Kind { get; }

    private TestTarget Target => fixture.Target;

    [Fact]
    public async Task Content_length_and_chunked_bodies_are_read_whole_in_pieces_and_checked()
    {
        await using var server = new RawServer(async (request, stream) =>
        {
            switch (request.OnConnection)
            {
                case 1:
                    await RawServer.WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Json.Length}\r\n\r\n{Json}");
                    break;
                case 2:
                    // The head, the length and the body in separate pieces.
                    await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Le");
                    await Task.Delay(20);
                    await RawServer.WriteAsync(stream, $"ngth: {Json.Length}\r\n\r\n{Json[..5]}");
                    await Task.Delay(20);
                    await RawServer.WriteAsync(stream, Json[5..]);
                    break;
                case 3:
                    // Chunked, with an extension, a chunk split over writes, upper-case hex and a trailer.
                    await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=value\r\n{\"ou\r\n");
                    await Task.Delay(20);
                    await RawServer.WriteAsync(stream, "A\r\ntput\":\"5\"");
                    await Task.Delay(20);
                    await RawServer.WriteAsync(stream, "}\r\n0\r\nX-Trailer: yes\r\n\r\n");
                    break;
                default:
                    // Chunked, but not the protocol's shape once put together.
                    await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"a\r\n5\r\n\":1}\n\r\n0\r\n\r\n");
                    break;
            }

            return true;
        });
        using var transport = Socket(server.Url, LoadProtocols.HttpJson);

        var answers = new List<Exchange>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await transport.SendAsync(i, 0, CancellationToken.None));
        }

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal([null, null, null, ErrorKinds.InvalidBody], answers.Select(a => a.Error));
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Kestrel_chunked_and_large_answers_and_large_request_bodies_are_handled()
    {
        using var chunked = Socket(Target.Url("/chunked"), LoadProtocols.HttpJson);
        using var big = Socket(Target.Url("/big/4096"), LoadProtocols.HttpJson);
        using var bigChunked = Socket(Target.Url("/big/4096?chunked=true"), LoadProtocols.HttpJson);
        await using var own = await TestTarget.StartAsync();
        using var largeRequest = Create(
            new RequestFactory(own.Url("/json"), new RequestSpec { Protocol = LoadProtocols.HttpJson, InputChars = 3_000_000 }));

        var answers = new[]
        {
            await chunked.SendAsync(0, 0, CancellationToken.None),
            await chunked.SendAsync(1, 0, CancellationToken.None),
            await big.SendAsync(0, 0, CancellationToken.None),
            await bigChunked.SendAsync(0, 0, CancellationToken.None),
            await bigChunked.SendAsync(1, 0, CancellationToken.None),
            await largeRequest.SendAsync(0, 0, CancellationToken.None),
        };

        Assert.All(answers, a => Assert.Equal(new Exchange(200, null, null), a.WithoutTime()));
        Assert.Equal(3_000_000, Assert.Single(own.Inputs).Length);
        Assert.True(Assert.Single(own.BodySizes) > 3_000_000);
    }

    [Fact]
    public async Task Requests_carry_the_method_path_host_token_type_and_length_httpclient_would()
    {
        var heads = new List<string>();
        var bodies = new List<int>();
        await using var server = new RawServer(async (request, stream) =>
        {
            lock (heads)
            {
                heads.Add(request.Head);
                bodies.Add(request.Body.Length);
            }

            await RawServer.WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {Json.Length}\r\n\r\n{Json}");
            return true;
        });
        var spec = new RequestSpec { Protocol = LoadProtocols.HttpJson, BearerToken = "abc", InputChars = 100, InputCharsEnd = 1_000 };
        using var transport = Create(new RequestFactory(new Uri(server.Url, "/run?x=1"), spec));
        using var get = Socket(new Uri(server.Url, "/health"));

        var first = await transport.SendAsync(0, 0, CancellationToken.None);
        var last = await transport.SendAsync(1, 1, CancellationToken.None);
        await get.SendAsync(0, 0, CancellationToken.None);

        Assert.Null(first.Error);
        Assert.Null(last.Error);
        var port = server.Url.Port.ToString(CultureInfo.InvariantCulture);
        Assert.StartsWith("POST /run?x=1 HTTP/1.1\r\n", heads[0], StringComparison.Ordinal);
        Assert.Contains($"\r\nHost: 127.0.0.1:{port}\r\n", heads[0], StringComparison.Ordinal);
        Assert.Contains("\r\nAuthorization: Bearer abc\r\n", heads[0], StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/json\r\n", heads[0], StringComparison.Ordinal);
        Assert.Contains($"\r\nContent-Length: {bodies[0]}\r\n", heads[0], StringComparison.Ordinal);
        Assert.Contains($"\r\nContent-Length: {bodies[1]}\r\n", heads[1], StringComparison.Ordinal);
        Assert.True(bodies[1] > bodies[0] + 800, $"{bodies[0]} then {bodies[1]}");
        Assert.Equal($"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n", heads[2]);
    }

    [Fact]
    public async Task Kept_alive_connections_are_reused_and_never_more_than_the_limit()
    {
        await using var server = new RawServer(async (request, stream) =>
        {
            await Task.Delay(2);
            await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return true;
        });
        using (var one = Socket(server.Url))
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(200, (await one.SendAsync(i, 0, CancellationToken.None)).Status);
            }

            Assert.Equal(1, ConnectionsOf(one));
        }

        Assert.Equal(1, server.Connections);

        // Sixteen users on four connections: twelve always wait for one.
        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = server.Url,
            Executor = ExecutorKind.ConstantConcurrency,
            Concurrency = 16,
            Connections = 4,
            Duration = TimeSpan.FromSeconds(1),
            Transport = Kind,
        });

        Assert.Equal(Transports.NameOf(Kind), result.Generator.Transport);
        Assert.Equal(0, result.ErrorCount);
        Assert.True(result.Requests > 100, result.Requests.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(1 + 4, server.Connections);
    }

    [Fact]
    public async Task A_connection_the_server_closes_is_replaced_whether_it_said_so_or_not()
    {
        // Silently after every third answer (as an idle timeout or keepalive_requests would), or announced.
        await using var silent = new RawServer(async (request, stream) =>
        {
            await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return request.OnConnection < 3;
        });
        await using var announced = new RawServer(async (request, stream) =>
        {
            await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
            return true;
        });
        await using var http10 = new RawServer(async (request, stream) =>
        {
            await RawServer.WriteAsync(stream, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return true;
        });
        using var toSilent = Socket(silent.Url);
        using var toAnnounced = Socket(announced.Url);
        using var toHttp10 = Socket(http10.Url);

        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(new Exchange(200, null, null), (await toSilent.SendAsync(i, 0, CancellationToken.None)).WithoutTime());
            // Give the server's close time to arrive before the next request, as on an idle connection.
            await Task.Delay(5);
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await toAnnounced.SendAsync(i, 0, CancellationToken.None)).Status);
            Assert.Equal(200, (await toHttp10.SendAsync(i, 0, CancellationToken.None)).Status);
        }

        Assert.Equal(4, silent.Connections);
        Assert.Equal(12, silent.Requests);
        Assert.Equal(5, announced.Connections);
        Assert.Equal(5, http10.Connections);
    }

    [Fact]
    public async Task An_answer_cut_short_is_a_connection_reset_and_garbage_is_other()
    {
        await using var cut = new RawServer(async (request, stream) =>
        {
            await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..");
            return false;
        });
        await using var garbage = new RawServer(async (request, stream) =>
        {
            await RawServer.WriteAsync(stream, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
            return false;
        });
        await using var hugeHead = new RawServer(async (request, stream) =>
        {
            await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Padding: " + new string('p', 1000) + "\r\n", 80)) + "Content-Length: 0\r\n\r\n");
            return false;
        });

        var cutShort = await Assert.ThrowsAnyAsync<IOException>(() => SendOnceAsync(cut.Url));
        var notHttp = await Assert.ThrowsAnyAsync<IOException>(() => SendOnceAsync(garbage.Url));
        var tooLarge = await Assert.ThrowsAnyAsync<IOException>(() => SendOnceAsync(hugeHead.Url));

        Assert.Equal(ErrorKinds.ConnectionReset, ErrorKinds.Classify(cutShort, timedOut: false));
        Assert.Equal(ErrorKinds.Other, ErrorKinds.Classify(notHttp, timedOut: false));
        Assert.Equal(ErrorKinds.Other, ErrorKinds.Classify(tooLarge, timedOut: false));
    }

    [Fact]
    public async Task Interim_answers_are_skipped_and_a_body_without_length_ends_with_the_connection()
    {
        await using var server = new RawServer(async (request, stream) =>
        {
            if (request.OnConnection == 1)
            {
                await RawServer.WriteAsync(stream, $"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: {Json.Length}\r\n\r\n{Json}");
                return true;
            }

            await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"output\":");
            await Task.Delay(20);
            await RawServer.WriteAsync(stream, "\"5\"}");
            return false;
        });
        using var transport = Socket(server.Url, LoadProtocols.HttpJson);

        var interim = await transport.SendAsync(0, 0, CancellationToken.None);
        var untilClose = await transport.SendAsync(1, 0, CancellationToken.None);
        var next = await transport.SendAsync(2, 0, CancellationToken.None);

        Assert.Equal(new Exchange(200, null, null), interim.WithoutTime());
        Assert.Equal(new Exchange(200, null, null), untilClose.WithoutTime());
        Assert.Equal(new Exchange(200, null, null), next.WithoutTime());
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_429_reports_its_retry_after_as_a_delay_or_a_date()
    {
        var date = DateTimeOffset.UtcNow.AddSeconds(30).ToString("r", CultureInfo.InvariantCulture);
        await using var server = new RawServer(async (request, stream) =>
        {
            var retryAfter = request.OnConnection switch { 1 => "Retry-After: 7\r\n", 2 => $"retry-after: {date}\r\n", _ => "" };
            await RawServer.WriteAsync(stream, $"HTTP/1.1 429 Too Many Requests\r\n{retryAfter}Content-Length: 0\r\n\r\n");
            return true;
        });
        using var transport = Socket(server.Url);

        var delay = await transport.SendAsync(0, 0, CancellationToken.None);
        var until = await transport.SendAsync(1, 0, CancellationToken.None);
        var none = await transport.SendAsync(2, 0, CancellationToken.None);

        Assert.Equal(new Exchange(429, "http_429", TimeSpan.FromSeconds(7)), delay.WithoutTime());
        Assert.Equal("http_429", until.Error);
        Assert.InRange(until.RetryAfter!.Value.TotalSeconds, 25, 31);
        Assert.Equal(new Exchange(429, "http_429", null), none.WithoutTime());
    }

    [Fact]
    public async Task A_host_name_is_resolved_and_sent_as_the_host()
    {
        var heads = new List<string>();
        await using var server = new RawServer(async (request, stream) =>
        {
            lock (heads)
            {
                heads.Add(request.Head);
            }

            await RawServer.WriteAsync(stream, "HTTP/1.1 204 No Content\r\n\r\n");
            return true;
        });
        using var transport = Socket(new Uri($"http://localhost:{server.Url.Port}/named"));

        var answer = await transport.SendAsync(0, 0, CancellationToken.None);

        Assert.Equal(new Exchange(204, null, null), answer.WithoutTime());
        Assert.StartsWith($"GET /named HTTP/1.1\r\nHost: localhost:{server.Url.Port}\r\n", Assert.Single(heads), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_connection_refused()
    {
        using var transport = Socket(new Uri($"http://127.0.0.1:{UnusedPort()}/"));

        var error = await Assert.ThrowsAnyAsync<IOException>(() => transport.SendAsync(0, 0, CancellationToken.None).AsTask());

        Assert.Equal(ErrorKinds.ConnectionRefused, ErrorKinds.Classify(error, timedOut: false));
    }

    [Fact]
    public async Task Timeouts_end_requests_on_a_connection_and_requests_waiting_for_one()
    {
        // A server that reads requests and never answers.
        await using var silent = new RawServer(async (request, stream) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            return false;
        });
        // The generator's first run of a transport in a process warms it up first (1-3 s, EngineWarmUp): not timed here.
        await LoadGenerator.WarmUpAsync(silent.Url, Kind);
        var clock = Stopwatch.StartNew();

        var result = await LoadGenerator.RunAsync(new LoadOptions
        {
            Url = silent.Url,
            Rate = 20,
            Duration = TimeSpan.FromSeconds(1),
            Connections = 2,
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            Transport = Kind,
        });

        // Two requests hold the connections; the other eighteen wait for them and time out waiting. Without timeouts on
        // the waiters, each connection would carry one request every 300-400 ms: ten in turn, 3 s and more.
        Assert.Equal(20, result.Requests);
        Assert.Equal(20, result.Errors[ErrorKinds.Timeout]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.8), clock.Elapsed.ToString());
        Assert.InRange(result.LatencyMs.P50, 250, 1_000);
    }

    private ILoadTransport Socket(Uri url, string protocol = LoadProtocols.Raw) =>
        Create(new RequestFactory(url, new RequestSpec { Protocol = protocol }));

    /// <summary>The transport under test with one connection.</summary>
    private ILoadTransport Create(RequestFactory factory) => Kind switch
    {
        TransportKind.Socket => new Http11Transport(factory, 1),
        TransportKind.Epoll => EpollTransport.TryCreate(factory, 1) ?? throw new InvalidOperationException("No epoll here."),
        _ => throw new ArgumentOutOfRangeException(nameof(factory)),
    };

    private static int ConnectionsOf(ILoadTransport transport) => transport switch
    {
        Http11Transport socket => socket.Connections,
        EpollTransport epoll => epoll.Connections,
        _ => throw new ArgumentOutOfRangeException(nameof(transport)),
    };

    private async Task<Exchange> SendOnceAsync(Uri url)
    {
        using var transport = Socket(url);
        return await transport.SendAsync(0, 0, CancellationToken.None);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The contract on the socket transport (System.Net.Sockets).</summary>
public sealed class SocketTransportTests(TestTargetFixture fixture) : Http11TransportTests(fixture)
{
    protected override TransportKind Kind => TransportKind.Socket;
}

/// <summary>The contract on the epoll transport (Linux), and the choice of transport.</summary>
public sealed class EpollTransportTests(TestTargetFixture fixture) : Http11TransportTests(fixture)
{
    protected override TransportKind Kind => TransportKind.Epoll;

    [Fact]
    public void The_transport_is_epoll_for_http_on_linux_and_httpclient_for_https_unless_forced()
    {
        var http = new Uri("http://127.0.0.1:8080/");
        var https = new Uri("https://example.com/");

        Assert.Equal(OperatingSystem.IsLinux() ? TransportKind.Epoll : TransportKind.Socket, Transports.Resolve(TransportKind.Auto, http));
        Assert.Equal(TransportKind.HttpClient, Transports.Resolve(TransportKind.Auto, https));
        Assert.Equal(TransportKind.HttpClient, Transports.Resolve(TransportKind.HttpClient, http));
        Assert.Equal(["auto", "socket", "httpclient", "epoll"], Transports.Names);
        Assert.True(Transports.TryParse("httpclient", out var parsed) && parsed == TransportKind.HttpClient);
        Assert.Contains("socket transport speaks plain http:// only", string.Join(" ", new LoadOptions { Url = https, Rate = 1, Transport = TransportKind.Socket }.Validate()));
        Assert.Contains("epoll transport speaks plain http:// only", string.Join(" ", new LoadOptions { Url = https, Rate = 1, Transport = TransportKind.Epoll }.Validate()));
        Assert.Empty(new LoadOptions { Url = https, Rate = 1 }.Validate());
    }
}
