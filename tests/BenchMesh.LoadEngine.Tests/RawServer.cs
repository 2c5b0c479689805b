using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>One request as <see cref="RawServer"/> read it.</summary>
/// <param name="Head">The request line and headers.</param>
/// <param name="Body">The body (by its Content-Length).</param>
/// <param name="Connection">The connection's number (1 = the first accepted).</param>
/// <param name="OnConnection">The request's number on its connection (1 = the first).</param>
public sealed record RawRequest(string Head, byte[] Body, int Connection, int OnConnection);

/// <summary>
/// A loopback TCP server that answers with exactly the bytes a test writes, to test the socket transport's parsing and
/// connection handling where Kestrel would not misbehave: chunked answers in pieces, answers without a length, closed
/// connections, interim 1xx answers, garbage. The handler writes the answer and returns whether to keep the connection.
/// </summary>
public sealed class RawServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RawRequest, Stream, Task<bool>> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;
    private int _requests;

    public RawServer(Func<RawRequest, Stream, Task<bool>> handler)
    {
        _handler = handler;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Requests read so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Writes text (ASCII) and flushes.</summary>
    public static async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await stream.FlushAsync();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var number = Interlocked.Increment(ref _connections);
                _ = Task.Run(() => ServeAsync(client, number));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped (InvalidOperationException: the listener stopped between one accept and the next).
        }
    }

    private async Task ServeAsync(TcpClient client, int connection)
    {
        using (client)
        {
            try
            {
                client.NoDelay = true;
                var stream = client.GetStream();
                for (var onConnection = 1; ; onConnection++)
                {
                    if (await ReadRequestAsync(stream, connection, onConnection) is not { } request)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _requests);
                    if (!await _handler(request, stream))
                    {
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The client went away.
            }
        }
    }

    private async Task<RawRequest?> ReadRequestAsync(Stream stream, int connection, int onConnection)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var text = Encoding.ASCII.GetString([.. head]);
        var length = text.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, _stop.Token);
        return new RawRequest(text, body, connection, onConnection);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
