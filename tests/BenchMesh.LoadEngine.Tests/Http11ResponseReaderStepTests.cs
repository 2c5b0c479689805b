using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// The answer reader fed step by step (<see cref="Http11ResponseReader.TryStep"/>, the epoll transport's way) reads
/// every answer as its awaited <see cref="Http11ResponseReader.ReadAsync"/> does on a socket: the same head, the same
/// kept body, the same failure, whatever the pieces the bytes arrive in (one byte at a time up to all at once).
/// </summary>
public sealed class Http11ResponseReaderStepTests
{
    private const string Json = "{\"output\":\"5\"}";

    public static TheoryData<string, bool, string> Answers => new()
    {
        { $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Json.Length}\r\n\r\n{Json}", false, "200 keep-alive=True" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=value\r\n{\"ou\r\nA\r\ntput\":\"5\"}\r\n0\r\nX-Trailer: yes\r\n\r\n", false, "200 keep-alive=True" },
        { $"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: {Json.Length}\r\n\r\n{Json}", false, "201 keep-alive=True" },
        { "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", false, "204 keep-alive=True" },
        { "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false, "304 keep-alive=True" },
        { "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", false, "200 keep-alive=True" },
        { "HTTP/1.1 503 Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy", false, "503 keep-alive=False" },
        { "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n", false, "429 keep-alive=True retry-after=00:00:07" },
        { $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{Json}", true, "200 keep-alive=False" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw bytes to the close", true, "200 keep-alive=False" },
        { "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..", true, "ResponseEnded" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true, "ResponseEnded" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXY0\r\n\r\n", false, "InvalidResponse" },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, "InvalidResponse" },
        { "SSH-2.0-OpenSSH_9.2\r\n\r\n", false, "InvalidResponse" },
        { "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", false, "InvalidResponse" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Fed_in_any_pieces_it_reads_what_the_awaited_read_reads(string answer, bool serverCloses, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes(answer);
        var awaited = await ReadOnSocketAsync(bytes, serverCloses);

        Assert.StartsWith(expected, awaited, StringComparison.Ordinal);
        foreach (var piece in new[] { 1, 2, 3, 5, 13, bytes.Length })
        {
            Assert.Equal(awaited, Step(bytes, piece, serverCloses));
        }
    }

    /// <summary>What the reader makes of the bytes fed <paramref name="piece"/> at a time, as the epoll loop feeds it.</summary>
    private static string Step(byte[] bytes, int piece, bool serverCloses)
    {
        var reader = new Http11ResponseReader();
        reader.StartAnswer();
        try
        {
            for (var at = 0; at < bytes.Length; at += piece)
            {
                var count = Math.Min(piece, bytes.Length - at);
                bytes.AsSpan(at, count).CopyTo(reader.ReceiveSpace().Span);
                reader.Received(count);
                if (reader.TryStep(Http11BodyKeeping.All, out var head))
                {
                    return Describe(head, reader);
                }
            }

            return serverCloses ? Describe(reader.EndAtClose(), reader) : "incomplete";
        }
        catch (HttpIOException ex)
        {
            return $"{ex.HttpRequestError}";
        }
    }

    /// <summary>What <see cref="Http11ResponseReader.ReadAsync"/> makes of the bytes sent whole on a loopback socket.</summary>
    private static async Task<string> ReadOnSocketAsync(byte[] bytes, bool serverCloses)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var server = await listener.AcceptSocketAsync();
        await server.SendAsync(bytes);
        if (serverCloses)
        {
            server.Shutdown(SocketShutdown.Send);
        }

        var reader = new Http11ResponseReader();
        try
        {
            // An answer that needs more than the bytes sent waits for them: a short timeout says it is incomplete.
            var read = reader.ReadAsync(client, Http11BodyKeeping.All).AsTask();
            if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(1))) != read)
            {
                client.Dispose();
                await Assert.ThrowsAnyAsync<Exception>(() => read);
                return "incomplete";
            }

            return Describe(await read, reader);
        }
        catch (HttpIOException ex)
        {
            return $"{ex.HttpRequestError}";
        }
    }

    private static string Describe(Http11ResponseHead head, Http11ResponseReader reader) =>
        $"{head.Status} keep-alive={head.KeepAlive} retry-after={head.RetryAfter} body={Encoding.ASCII.GetString(reader.Body)} any={reader.ReceivedAny} unread={reader.HasUnread}";
}
