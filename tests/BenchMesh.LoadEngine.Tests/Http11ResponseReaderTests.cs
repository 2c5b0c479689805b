using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// The HTTP/1.1 answer reader shared by the load engine's connection and the Runner's agent connection, on a real
/// loopback socket against <see cref="RawServer"/>. Where an answer must cross receive boundaries, the server writes
/// its next piece only once the reader has received the previous one (the observer says so), so every piece is a
/// receive of its own, without sleeping.
/// </summary>
public sealed class Http11ResponseReaderTests
{
    private const string Json = "{\"output\":\"5\"}";

    [Fact]
    public async Task A_content_length_answer_whose_head_and_body_are_split_over_receives_is_read_whole()
    {
        var observer = new Receives();
        await using var server = new RawServer(async (_, stream) =>
        {
            await Pieces(stream, observer, "HTTP/1.1 200 OK\r\nContent-Le", $"ngth: {Json.Length}\r\nContent-Type: application/json\r", $"\n\r\n{Json[..5]}", Json[5..]);
            return true;
        });
        using var socket = await ConnectAsync(server);
        var reader = new Http11ResponseReader(observer, readContentType: true);

        var head = await SendAsync(socket, reader, Http11BodyKeeping.All);

        Assert.Equal(new Http11ResponseHead(200, true, null, "application/json"), head);
        Assert.Equal(Json, Encoding.ASCII.GetString(reader.Body));
        // Four receives: three before any body byte, the last after the body's first five.
        Assert.Equal([0, 0, 0, 5], observer.BodyBytesBefore);
        Assert.False(reader.ReceivedAny);
    }

    [Fact]
    public async Task A_chunked_answer_split_inside_sizes_data_and_crlfs_is_de_chunked_and_each_receive_says_how_much_came_before()
    {
        var observer = new Receives();
        await using var server = new RawServer(async (_, stream) =>
        {
            // An extension, a size line split, upper-case hex, a chunk's CRLF split from its data, and a trailer.
            await Pieces(stream, observer,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=value\r\n{\"ou\r\n",
                "A\r",
                "\ntput\":\"5\"",
                "}\r",
                "\n0\r\nX-Trailer: yes\r\n",
                "\r\n");
            return true;
        });
        using var socket = await ConnectAsync(server);
        var reader = new Http11ResponseReader(observer);

        var head = await SendAsync(socket, reader, Http11BodyKeeping.All);

        Assert.Equal(200, head.Status);
        Assert.True(head.KeepAlive);
        Assert.Null(head.ContentType); // not asked for
        Assert.Equal(Json, Encoding.ASCII.GetString(reader.Body));
        Assert.Equal([0, 4, 4, 13, 14, 14], observer.BodyBytesBefore);

        // The next answer on the same connection starts clean.
        observer.BodyBytesBefore.Clear();
        var next = await SendAsync(socket, reader, Http11BodyKeeping.All);
        Assert.Equal(200, next.Status);
        Assert.Equal(Json, Encoding.ASCII.GetString(reader.Body));
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task A_body_without_length_ends_with_the_connection_and_the_body_can_be_taken()
    {
        var observer = new Receives();
        await using var server = new RawServer(async (_, stream) =>
        {
            await Pieces(stream, observer, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst ", "second");
            return false; // closes: that ends the body
        });
        using var socket = await ConnectAsync(server);
        var reader = new Http11ResponseReader(observer);

        var head = await SendAsync(socket, reader, Http11BodyKeeping.All);
        var body = reader.TakeBody(out var length);

        Assert.Equal(200, head.Status);
        Assert.False(head.KeepAlive);
        Assert.Equal("first second", Encoding.ASCII.GetString(body, 0, length));
        Assert.Equal(0, reader.Body.Length);
    }

    [Fact]
    public async Task Interim_answers_are_skipped_and_bodies_are_kept_only_as_asked()
    {
        await using var server = new RawServer(async (request, stream) =>
        {
            await RawServer.WriteAsync(stream, request.OnConnection switch
            {
                1 => $"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: {Json.Length}\r\n\r\n{Json}",
                2 => "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy",
                3 => "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 4\r\n\r\nslow",
                4 => "HTTP/1.1 204 No Content\r\n\r\n",
                _ => "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
            });
            return true;
        });
        using var socket = await ConnectAsync(server);
        var reader = new Http11ResponseReader();

        var ok = await SendAsync(socket, reader, Http11BodyKeeping.Success);
        var okBody = Encoding.ASCII.GetString(reader.Body);
        var unavailable = await SendAsync(socket, reader, Http11BodyKeeping.Success);
        var unavailableBody = reader.Body.Length;
        var limited = await SendAsync(socket, reader, Http11BodyKeeping.All);
        var limitedBody = Encoding.ASCII.GetString(reader.Body);
        var empty = await SendAsync(socket, reader, Http11BodyKeeping.All);
        var http10 = await SendAsync(socket, reader, Http11BodyKeeping.None);

        Assert.Equal((200, Json), (ok.Status, okBody));
        Assert.Equal((503, 0), (unavailable.Status, unavailableBody));
        Assert.Equal((429, TimeSpan.FromSeconds(2), "slow"), (limited.Status, limited.RetryAfter, limitedBody));
        Assert.Equal((204, true), (empty.Status, empty.KeepAlive));
        // HTTP/1.0 without keep-alive: the connection is not reused.
        Assert.Equal((200, false, 0), (http10.Status, http10.KeepAlive, reader.Body.Length));
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task An_answer_already_received_whole_is_read_at_once_and_anything_less_is_left_to_the_async_read()
    {
        // Each answer is written at once; the test receives until all its bytes are in the reader's buffer.
        var answers = new[]
        {
            $"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: {Json.Length}\r\n\r\n{Json}",
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 4\r\n\r\nslow",
            "HTTP/1.1 204 No Content\r\n\r\n",
            $"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: {Json.Length}\r\n\r\n{Json}",
            $"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{Json.Length:x}\r\n{Json}\r\n0\r\n\r\n",
            $"HTTP/1.1 200 OK\r\nContent-Length: {Json.Length}\r\n\r\n{Json[..4]}",
        };
        using var rest = new SemaphoreSlim(0);
        await using var server = new RawServer(async (request, stream) =>
        {
            await RawServer.WriteAsync(stream, answers[request.OnConnection - 1]);
            if (request.OnConnection == answers.Length)
            {
                // The cut-short answer's rest, once the reader has looked at what came first.
                await rest.WaitAsync(TimeSpan.FromSeconds(30));
                await RawServer.WriteAsync(stream, Json[4..]);
            }

            return true;
        });
        using var socket = await ConnectAsync(server);
        var reader = new Http11ResponseReader();
        Assert.False(reader.TryReadBuffered(Http11BodyKeeping.All, out _)); // nothing received yet

        var read = new List<(bool AtOnce, Http11ResponseHead Head, string Body)>();
        foreach (var answer in answers)
        {
            await socket.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n"u8.ToArray(), SocketFlags.None);
            for (var got = 0; got < answer.Length;)
            {
                var count = await socket.ReceiveAsync(reader.ReceiveSpace(), SocketFlags.None);
                reader.Received(count);
                got += count;
            }

            var atOnce = reader.TryReadBuffered(Http11BodyKeeping.All, out var head);
            Assert.Equal(atOnce, !reader.ReceivedAny); // a false consumed nothing: the bytes are still the answer's
            if (answer == answers[^1])
            {
                rest.Release();
            }

            if (!atOnce)
            {
                head = await reader.ReadAsync(socket, Http11BodyKeeping.All);
            }

            read.Add((atOnce, head, Encoding.ASCII.GetString(reader.Body)));
        }

        Assert.Equal(
            [
                (true, new Http11ResponseHead(200, true, null, null), Json),
                (true, new Http11ResponseHead(429, true, TimeSpan.FromSeconds(3), null), "slow"),
                (true, new Http11ResponseHead(204, true, null, null), ""),
                (false, new Http11ResponseHead(200, true, null, null), Json), // an interim answer first
                (false, new Http11ResponseHead(200, true, null, null), Json), // chunked
                (false, new Http11ResponseHead(200, true, null, null), Json), // the body not all there yet
            ],
            read);
        Assert.False(reader.ReceivedAny);
    }

    [Theory]
    [InlineData("SMTP ready\r\n\r\n", "does not start with an HTTP/1.x status line")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "Content-Length is not a single non-negative number")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 0\r\n\r\n", "header line has no name")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "chunk size is not hexadecimal")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n", "chunk does not end with CRLF")]
    public async Task A_malformed_answer_is_an_invalid_response_that_says_what_is_wrong(string answer, string says)
    {
        await using var server = new RawServer(async (_, stream) =>
        {
            await RawServer.WriteAsync(stream, answer);
            return true;
        });
        using var socket = await ConnectAsync(server);

        var error = await Assert.ThrowsAsync<HttpIOException>(() => SendAsync(socket, new Http11ResponseReader(), Http11BodyKeeping.All));

        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_head_beyond_the_limit_is_refused_and_an_answer_cut_short_has_ended_early()
    {
        await using var server = new RawServer(async (request, stream) =>
        {
            if (request.Connection == 1)
            {
                // Headers past 64 KiB, never ending.
                await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Padding: " + new string('a', 1000) + "\r\n", 70)));
                return true;
            }

            await RawServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
            return false;
        });
        using var first = await ConnectAsync(server);
        var reader = new Http11ResponseReader();
        var tooLong = await Assert.ThrowsAsync<HttpIOException>(() => SendAsync(first, reader, Http11BodyKeeping.All));
        using var second = await ConnectAsync(server);
        reader.Reset();
        var cut = await Assert.ThrowsAsync<HttpIOException>(() => SendAsync(second, reader, Http11BodyKeeping.All));

        Assert.Equal(HttpRequestError.InvalidResponse, tooLong.HttpRequestError);
        Assert.Contains("longer than 64 KiB", tooLong.Message, StringComparison.Ordinal);
        Assert.Equal(HttpRequestError.ResponseEnded, cut.HttpRequestError);
        Assert.True(reader.ReceivedAny); // bytes came: a caller must not send the request again
    }

    private static async Task<Socket> ConnectAsync(RawServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Url.Port));
        return socket;
    }

    private static async Task<Http11ResponseHead> SendAsync(Socket socket, Http11ResponseReader reader, Http11BodyKeeping keep)
    {
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n"u8.ToArray(), SocketFlags.None);
        return await reader.ReadAsync(socket, keep);
    }

    /// <summary>Writes each piece once the reader has received all the previous ones.</summary>
    private static async Task Pieces(Stream stream, Receives observer, params string[] pieces)
    {
        var before = observer.Count;
        for (var i = 0; i < pieces.Length; i++)
        {
            await RawServer.WriteAsync(stream, pieces[i]);
            if (i < pieces.Length - 1)
            {
                await observer.WaitForAsync(before + i + 1);
            }
        }
    }

    /// <summary>Records each receive's report and lets the server wait for the n-th.</summary>
    private sealed class Receives : IHttp11ReceiveObserver
    {
        private readonly SemaphoreSlim _received = new(0);
        private int _seen;

        public List<int> BodyBytesBefore { get; } = [];

        public int Count => Volatile.Read(ref _seen);

        public void Received(int bodyBytesBefore)
        {
            BodyBytesBefore.Add(bodyBytesBefore);
            Interlocked.Increment(ref _seen);
            _received.Release();
        }

        public async Task WaitForAsync(int count)
        {
            while (Count < count)
            {
                await _received.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
    }
}
