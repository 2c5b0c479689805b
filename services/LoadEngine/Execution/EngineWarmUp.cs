using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>
/// The generator's own warm-up, once per process, before its first measured run. A cold generator spends its first
/// second or so compiling its own request path (the transports, the schedule, the recorder, the histograms): at 100
/// requests a second that stall sends the first second's requests late and in one burst. Nothing about the target
/// would explain the tail that shows, and a rate limiter or token bucket behind the target would answer the burst with
/// errors. So the first run in a process first drives a short open-model and closed-model load, through both
/// transports, against a responder on an ephemeral loopback port of its own. The target sees none of it; what the
/// warm-up costs (about half a second once) is not part of any result. A warm-up that fails is ignored: the run then
/// simply starts cold.
/// </summary>
internal static class EngineWarmUp
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(150);
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
    private static readonly Lazy<Task> Once = new(WarmUpAsync);

    /// <summary>Completes when the process's generator is warm (at once after the first time).</summary>
    public static Task EnsureAsync() => Once.Value;

    private static async Task WarmUpAsync()
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(16);
            using var stop = new CancellationTokenSource();
            var serve = ServeAsync(listener, stop.Token);
            var url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}/");
            foreach (var transport in new[] { TransportKind.Socket, TransportKind.HttpClient })
            {
                await RunAsync(new LoadOptions { Url = url, Rate = 500, Duration = Slice, Connections = 2, Transport = transport }).ConfigureAwait(false);
                await RunAsync(new LoadOptions
                {
                    Url = url, Executor = ExecutorKind.ConstantConcurrency, Concurrency = 2, Connections = 2, Duration = Slice, Transport = transport,
                }).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            listener.Close();
            await serve.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidOperationException or ArgumentException or OperationCanceledException)
        {
            // No loopback here, or something else went wrong: the measured run starts cold, that is all.
        }
    }

    private static async Task RunAsync(LoadOptions options)
    {
        var factory = new RequestFactory(options.Url, options.Request);
        using var transport = LoadGenerator.CreateTransport(options, factory);
        await new LoadRun(options, factory, transport).ExecuteAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Answers every request on every connection with a small 200 until stopped (requests have no body: GETs).</summary>
    private static async Task ServeAsync(Socket listener, CancellationToken stop)
    {
        var connections = new List<Task>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var connection = await listener.AcceptAsync(stop).ConfigureAwait(false);
                connections.Add(AnswerAsync(connection, stop));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    private static async Task AnswerAsync(Socket connection, CancellationToken stop)
    {
        using var _ = connection;
        var buffer = new byte[4096];
        var pending = 0;
        try
        {
            while (true)
            {
                var read = await connection.ReceiveAsync(buffer.AsMemory(pending), SocketFlags.None, stop).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                pending += read;
                // One answer per complete request head; what is left over starts the next request.
                int end;
                while ((end = buffer.AsSpan(0, pending).IndexOf("\r\n\r\n"u8)) >= 0)
                {
                    await connection.SendAsync(Answer, SocketFlags.None, stop).ConfigureAwait(false);
                    var consumed = end + 4;
                    buffer.AsSpan(consumed, pending - consumed).CopyTo(buffer);
                    pending -= consumed;
                }

                if (pending == buffer.Length)
                {
                    return; // a head this large is not one of ours
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The warm-up is over, or the client closed the connection.
        }
    }
}
