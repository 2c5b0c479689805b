using System.Net;
using System.Text;
using BenchMesh.LoadEngine.Transport;
using BenchMesh.LoadEngine.Transport.Epoll;

namespace BenchMesh.LoadEngine.Tests;

/// <summary>
/// The event loop the load engine and the Runner share (<see cref="EpollLoop"/>), with connections that come and go as
/// the Runner's do: its slots grow past the capacity it was made with, a disposed connection's slot is taken by the next,
/// every connection gets its own answers whichever slot it has, and a stopped loop takes no new connection. Linux only
/// (elsewhere the loop is not to be had, which the first assertion says).
/// </summary>
public sealed class EpollLoopTests
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: test\r\n\r\n");

    [Fact]
    public async Task Connections_beyond_its_capacity_and_in_freed_slots_each_get_their_own_answers()
    {
        using var loop = EpollLoop.TryCreate(capacity: 1, "test epoll");
        Assert.Equal(EpollLoop.IsPlatformSupported, loop is not null);
        if (loop is null)
        {
            return;
        }

        // The server answers each request with the number of the connection it came on.
        await using var server = new RawServer(async (request, stream) =>
        {
            var body = $"conn-{request.Connection}";
            await RawServer.WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}");
            return true;
        });
        var endpoint = new IPEndPoint(IPAddress.Loopback, server.Url.Port);

        // Ten at once on a loop made for one: the slots grow.
        var first = Enumerable.Range(0, 10).Select(_ => new TestConnection(loop)).ToList();
        foreach (var connection in first)
        {
            await connection.OpenAsync(endpoint);
        }

        Assert.Equal(10, first.Select(c => c.Slot).Distinct().Count());
        var answers = await Task.WhenAll(first.Select(c => c.SendAsync()));
        Assert.Equal(10, answers.Distinct().Count()); // each its own connection's answer
        Assert.Equal(answers, await Task.WhenAll(first.Select(c => c.SendAsync()))); // kept alive: the same connections

        // Half go; the next five take their slots, and the other half still answer on theirs.
        var freed = first.Take(5).Select(c => c.Slot).ToHashSet();
        foreach (var connection in first.Take(5))
        {
            connection.Dispose();
        }

        var next = Enumerable.Range(0, 5).Select(_ => new TestConnection(loop)).ToList();
        Assert.True(freed.SetEquals(next.Select(c => c.Slot)), "the new connections did not take the freed slots");
        foreach (var connection in next)
        {
            await connection.OpenAsync(endpoint);
        }

        var kept = first.Skip(5).ToList();
        var all = await Task.WhenAll(kept.Concat(next).Select(c => c.SendAsync()));
        Assert.Equal(answers.Skip(5), all.Take(5));
        Assert.Equal(5, all.Skip(5).Except(answers).Distinct().Count()); // the new ones' answers came on new connections
        Assert.Equal(15, server.Connections);
        foreach (var connection in kept.Concat(next))
        {
            connection.Dispose();
        }
    }

    [Fact]
    public async Task A_stopped_loop_fails_what_is_on_it_and_takes_no_new_connection()
    {
        var loop = EpollLoop.TryCreate(capacity: 4, "test epoll");
        if (loop is null)
        {
            Assert.False(EpollLoop.IsPlatformSupported);
            return;
        }

        // The server reads the request and never answers.
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new RawServer(async (_, _) =>
        {
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite);
            return false;
        });
        var connection = new TestConnection(loop);
        await connection.OpenAsync(new IPEndPoint(IPAddress.Loopback, server.Url.Port));
        var waiting = connection.SendAsync();
        await received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        loop.Dispose();

        var failure = await Assert.ThrowsAsync<IOException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stopped", failure.Message);
        Assert.Throws<ObjectDisposedException>(() => new TestConnection(loop));
        connection.Dispose();
    }

    /// <summary>A connection that sends <see cref="Request"/> and hands back the answer's body.</summary>
    private sealed class TestConnection(EpollLoop loop) : EpollHttp11Connection(loop, Http11BodyKeeping.All)
    {
        private TaskCompletionSource<string>? _answer;

        public Task OpenAsync(EndPoint endpoint) => ConnectAsync(endpoint, resolver: null, connect: null, CancellationToken.None).AsTask();

        public Task<string> SendAsync()
        {
            _answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Start(Request);
            return _answer.Task;
        }

        protected override void Finish()
        {
            Exception? failure;
            string? body = null;
            lock (Sync)
            {
                EndRequest();
                failure = TakeFailure();
                if (failure is null)
                {
                    body = Encoding.ASCII.GetString(Reader.Body);
                    Served++;
                }
                else
                {
                    CloseLocked();
                }
            }

            if (failure is null)
            {
                _answer!.SetResult(body!);
            }
            else
            {
                _answer!.SetException(failure);
            }
        }
    }
}
