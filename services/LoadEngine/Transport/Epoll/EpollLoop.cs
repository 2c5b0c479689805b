using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BenchMesh.LoadEngine.Transport.Epoll;

/// <summary>
/// One run's event loop, as wrk has it: an epoll instance of its own in which each connection's socket is registered
/// once, edge-triggered, for reading and writing, and one thread that waits in <c>epoll_wait</c> and hands each event to
/// its connection (<see cref="EpollConnection.OnEvents"/>), which receives, parses and completes the request there. An
/// eventfd wakes the thread to stop. Nothing of <c>System.Net.Sockets</c>' asynchronous layer is on the request path.
/// </summary>
internal sealed class EpollLoop : IDisposable
{
    private const ulong WakeTag = ulong.MaxValue;
    private const int MaxEvents = 256;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly EpollConnection?[] _connections;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private EpollLoop(int epoll, int wake, int capacity)
    {
        _epoll = epoll;
        _wake = wake;
        _connections = new EpollConnection?[capacity];
        _thread = new Thread(Run) { IsBackground = true, Name = "BenchMesh epoll" };
        _thread.Start();
    }

    /// <summary>
    /// A loop for at most <paramref name="capacity"/> connections, or null where epoll is not to be had (not Linux on
    /// x86-64 or arm64, or the epoll instance or eventfd could not be made): the caller then uses the other transport.
    /// </summary>
    public static EpollLoop? TryCreate(int capacity)
    {
        if (!LibC.IsPlatformSupported)
        {
            return null;
        }

        try
        {
            var epoll = LibC.epoll_create1(LibC.EpollCloexec);
            if (epoll < 0)
            {
                return null;
            }

            var wake = LibC.eventfd(0, LibC.EfdCloexec | LibC.EfdNonBlock);
            if (wake < 0 || LibC.Add(epoll, wake, LibC.EpollIn | LibC.EpollEt, WakeTag) < 0)
            {
                if (wake >= 0)
                {
                    LibC.close(wake);
                }

                LibC.close(epoll);
                return null;
            }

            return new EpollLoop(epoll, wake, capacity);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether the calling thread is the loop's.</summary>
    public bool OnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>Makes <paramref name="connection"/> the one whose events carry its <see cref="EpollConnection.Id"/>.</summary>
    public void Attach(EpollConnection connection) => Volatile.Write(ref _connections[connection.Id], connection);

    /// <summary>Registers a connected socket's descriptor for the connection <paramref name="id"/>; throws <see cref="SocketException"/>.</summary>
    public void Register(int fd, int id)
    {
        if (LibC.Add(_epoll, fd, LibC.EpollIn | LibC.EpollOut | LibC.EpollRdHup | LibC.EpollEt, (ulong)id) < 0)
        {
            throw new SocketException((int)LibC.ToSocketError(Marshal.GetLastPInvokeError()));
        }
    }

    private void Run()
    {
        var events = new byte[MaxEvents * LibC.EventSize];
        while (!_stopping)
        {
            var count = LibC.epoll_wait(_epoll, ref events[0], MaxEvents, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                {
                    continue;
                }

                break;
            }

            for (var i = 0; i < count; i++)
            {
                var (bits, data) = LibC.EventAt(events, i);
                if (data == WakeTag)
                {
                    continue; // only ever signalled to stop
                }

                try
                {
                    Volatile.Read(ref _connections[(int)data])?.OnEvents(bits);
                }
                catch (Exception ex)
                {
                    // A connection fails its own request on any error; what escapes is a bug, and must not end the process.
                    Trace.TraceError($"The epoll loop met an unexpected error: {ex}");
                }
            }
        }

        // Stopped (the run is over): whatever is still on a connection fails, and the loop's descriptors close.
        foreach (var connection in _connections)
        {
            connection?.Stop();
        }

        LibC.close(_wake);
        LibC.close(_epoll);
    }

    /// <summary>Stops the loop: requests still on its connections fail, and its thread ends (waited for, unless this is it).</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        Span<byte> one = stackalloc byte[8];
        one.Clear();
        one[0] = 1;
        LibC.write(_wake, ref MemoryMarshal.GetReference(one), 8);
        if (!OnLoopThread)
        {
            _thread.Join();
        }
    }
}
