using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BenchMesh.LoadEngine.Transport.Epoll;

/// <summary>
/// An event loop, as wrk has it: an epoll instance of its own in which each connection's socket is registered once,
/// edge-triggered, for reading and writing, and one thread that waits in <c>epoll_wait</c> and hands each event to its
/// connection (<see cref="EpollHttp11Connection.OnEvents"/>), which receives, parses and completes the request there. An
/// eventfd wakes the thread to stop. Nothing of <c>System.Net.Sockets</c>' asynchronous layer is on the request path.
/// The load engine makes one per run; the Runner one for its agent calls.
/// <para>
/// Connections take a slot (<see cref="Attach"/>, given back by <see cref="Detach"/>); an event's tag is its slot and
/// the registration of the socket it is for, so that an event still queued for a closed socket is not taken for one of
/// the socket that has its descriptor, or its slot, since.
/// </para>
/// </summary>
public sealed class EpollLoop : IDisposable
{
    private const ulong WakeTag = ulong.MaxValue;
    private const int MaxEvents = 256;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly Lock _slotsLock = new();
    private readonly Stack<int> _freeSlots = new();
    private EpollHttp11Connection?[] _slots;
    private int _usedSlots;
    private int _registrations;
    private volatile bool _stopping;

    private EpollLoop(int epoll, int wake, int capacity, string name)
    {
        _epoll = epoll;
        _wake = wake;
        _slots = new EpollHttp11Connection?[Math.Max(capacity, 1)];
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        // Not flowing the creating thread's execution context (a run's or a call's activity, which the loop outlives).
        _thread.UnsafeStart();
    }

    /// <summary>
    /// A loop with room for <paramref name="capacity"/> connections to begin with (it grows), its thread named
    /// <paramref name="name"/>, or null where epoll is not to be had (not Linux on x86-64 or arm64, or the epoll instance
    /// or eventfd could not be made): the caller then uses .NET's sockets.
    /// </summary>
    public static EpollLoop? TryCreate(int capacity, string name = "BenchMesh epoll")
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

            return new EpollLoop(epoll, wake, capacity, name);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether the calling thread is the loop's.</summary>
    internal bool OnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>Whether this process can have a loop: Linux on x86-64 or arm64.</summary>
    public static bool IsPlatformSupported => LibC.IsPlatformSupported;

    /// <summary>
    /// Gives <paramref name="connection"/> a slot, whose events are handed to it. Throws <see cref="ObjectDisposedException"/>
    /// once the loop is stopping: a connection made then would have no thread to receive for it.
    /// </summary>
    internal int Attach(EpollHttp11Connection connection)
    {
        lock (_slotsLock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (!_freeSlots.TryPop(out var slot))
            {
                slot = _usedSlots++;
                if (slot == _slots.Length)
                {
                    // The loop's thread reads the array without the lock: it sees the old one or the new, both right for
                    // every slot it can have an event for.
                    var grown = new EpollHttp11Connection?[_slots.Length * 2];
                    Array.Copy(_slots, grown, _slots.Length);
                    Volatile.Write(ref _slots, grown);
                }
            }

            Volatile.Write(ref _slots[slot], connection);
            return slot;
        }
    }

    /// <summary>Frees <paramref name="slot"/> (its connection is disposed) for another connection.</summary>
    internal void Detach(int slot)
    {
        lock (_slotsLock)
        {
            if (_slots[slot] is not null)
            {
                Volatile.Write(ref _slots[slot], null);
                _freeSlots.Push(slot);
            }
        }
    }

    /// <summary>A number for a socket about to be registered, distinct from the last 2³² ones.</summary>
    internal uint NextRegistration() => (uint)Interlocked.Increment(ref _registrations);

    /// <summary>Registers a connected socket's descriptor for the connection in <paramref name="slot"/>; throws <see cref="SocketException"/>.</summary>
    internal void Register(int fd, int slot, uint registration)
    {
        if (LibC.Add(_epoll, fd, LibC.EpollIn | LibC.EpollOut | LibC.EpollRdHup | LibC.EpollEt, (ulong)registration << 32 | (uint)slot) < 0)
        {
            throw new SocketException((int)LibC.ToSocketError(Marshal.GetLastPInvokeError()));
        }
    }

    private void Run()
    {
        var events = new byte[MaxEvents * LibC.EventSize];
        var ended = new List<EpollHttp11Connection>(MaxEvents);
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

            // First every event's receive (each answer dated as it is read), then the continuations of the requests they
            // ended, which may take a while (the Runner's bookkeeping of a call) and send the next requests.
            for (var i = 0; i < count; i++)
            {
                var (bits, data) = LibC.EventAt(events, i);
                if (data == WakeTag)
                {
                    continue; // only ever signalled to stop
                }

                try
                {
                    var slots = Volatile.Read(ref _slots);
                    var slot = (int)(uint)data;
                    if (slot < slots.Length && Volatile.Read(ref slots[slot]) is { } connection && connection.OnEvents(bits, (uint)(data >> 32)))
                    {
                        ended.Add(connection);
                    }
                }
                catch (Exception ex)
                {
                    Unexpected(ex);
                }
            }

            foreach (var connection in ended)
            {
                try
                {
                    connection.Complete();
                }
                catch (Exception ex)
                {
                    Unexpected(ex);
                }
            }

            ended.Clear();
        }

        // Stopped (the run is over): whatever is still on a connection fails, and the loop's descriptors close.
        EpollHttp11Connection?[] connections;
        lock (_slotsLock)
        {
            connections = [.. _slots];
        }

        foreach (var connection in connections)
        {
            connection?.Stop();
        }

        LibC.close(_wake);
        LibC.close(_epoll);
    }

    // A connection fails its own request on any error; what escapes is a bug, and must not end the process.
    private static void Unexpected(Exception ex) => Trace.TraceError($"The epoll loop met an unexpected error: {ex}");

    /// <summary>Stops the loop: requests still on its connections fail, and its thread ends (waited for, unless this is it).</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        lock (_slotsLock)
        {
            _stopping = true; // no connection attaches after this; those before are stopped with the loop
        }

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
