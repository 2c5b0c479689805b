using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime;
using System.Text;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Transport;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>
/// The generator's own warm-up, once per process and transport, before the first measured run through that transport.
/// A cold generator spends its first seconds compiling its own request path (the transport, the schedule, the
/// recorder, the histograms): at 100 requests a second that stall sends the first second's requests late and in one
/// burst, and a closed-model run at full speed loses its first seconds to it. Nothing about the target would explain
/// that, and a rate limiter or token bucket behind the target would answer the burst with errors. So the first run
/// first drives short open-model and closed-model loads against a responder on an ephemeral loopback port of its own,
/// pass after pass, for at least <see cref="Shortest"/> and then until a whole pass compiled no method
/// (<see cref="JitInfo.GetCompiledMethodCount"/>), at most <see cref="Longest"/>.
/// <para>
/// Why that long: tiered compilation promotes a method only after a delay with no new compilation, then after 30
/// calls, on a background thread, and in waves (with dynamic PGO, twice: instrumented, then optimized), with quiet
/// gaps between them. Measured for <c>benchmesh stress</c> (a fresh process each run, 2 cores): with one half-second
/// pass the request path was still at tier 0 when the run began, the JIT thread took about half the process's CPU for
/// the run's first 2-3 s, and those seconds reached 11,000-25,000 req/s against 30,000-50,000 later; the hot methods
/// reached tier 1 after 1-3.5 s of passes, and a pass with nothing compiled came as early as 0.75 s, before them.
/// </para>
/// The target sees none of it; what the warm-up costs (1-3 s, once) is not part of any result. A warm-up that fails is
/// ignored: the run then simply starts cold.
/// </summary>
internal static class EngineWarmUp
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(150);

    /// <summary>Passes run at least this long: the JIT's first quiet gap comes before the request path's promotions.</summary>
    internal static readonly TimeSpan Shortest = TimeSpan.FromSeconds(1);

    /// <summary>Passes stop after this even while the JIT is still compiling (a busy machine, or other code in the process).</summary>
    internal static readonly TimeSpan Longest = TimeSpan.FromSeconds(3);

    // Headers as a typical server sends them (nginx's), so that the answer parser's header loop is warmed as well.
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nServer: benchmesh-warm-up\r\nDate: Mon, 07 Dec 2026 00:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n");

    // One warm-up per transport, on its first use: a process that only ever runs one (the CLI against an http:// URL)
    // neither spends its warm-up on the other nor has the JIT still promoting the other's methods during its run.
    private static readonly Lazy<Task> SocketOnce = new(() => WarmUpAsync(TransportKind.Socket));
    private static readonly Lazy<Task> HttpClientOnce = new(() => WarmUpAsync(TransportKind.HttpClient));
    private static readonly Lazy<Task> EpollOnce = new(() => WarmUpAsync(TransportKind.Epoll));

    /// <summary>
    /// Completes when the process's generator is warm for <paramref name="transport"/> (resolved: socket, httpclient or
    /// epoll); at once after the first time.
    /// </summary>
    public static Task EnsureAsync(TransportKind transport) => (transport switch
    {
        TransportKind.Socket => SocketOnce,
        TransportKind.Epoll => EpollOnce,
        _ => HttpClientOnce,
    }).Value;

    private static async Task WarmUpAsync(TransportKind transport)
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(16);
            using var stop = new CancellationTokenSource();
            var serve = ServeAsync(listener, stop.Token);
            var url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}/");
            var started = Stopwatch.GetTimestamp();
            long compiled;
            do
            {
                compiled = JitInfo.GetCompiledMethodCount();
                await RunAsync(new LoadOptions { Url = url, Rate = 500, Duration = Slice, Connections = 2, Transport = transport }).ConfigureAwait(false);
                await RunAsync(new LoadOptions
                {
                    Url = url, Executor = ExecutorKind.ConstantConcurrency, Concurrency = 2, Connections = 2, Duration = Slice, Transport = transport,
                }).ConfigureAwait(false);
            }
            while (Stopwatch.GetElapsedTime(started) < Longest
                && (Stopwatch.GetElapsedTime(started) < Shortest || JitInfo.GetCompiledMethodCount() != compiled));

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
