using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BenchMesh.LoadEngine.Transport.Epoll;

/// <summary>
/// The few libc calls the epoll transport makes (Linux only): an epoll instance, an eventfd to wake its loop, and
/// <c>send</c>/<c>recv</c> on sockets .NET connected. <c>struct epoll_event</c> is packed to 12 bytes on x86-64 and
/// 16 bytes (data at offset 8) elsewhere, so events are read from bytes rather than through a struct.
/// </summary>
internal static partial class LibC
{
    private const string Library = "libc";

    public const int EpollCtlAdd = 1;
    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEt = 1u << 31;
    public const int EpollCloexec = 0x80000;
    public const int EfdCloexec = 0x80000;
    public const int EfdNonBlock = 0x800;
    public const int MsgNoSignal = 0x4000;
    public const int ShutRdWr = 2;

    public const int EINTR = 4;
    public const int EAGAIN = 11;

    /// <summary>The size of one <c>struct epoll_event</c> on this machine.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int DataOffset = EventSize == 12 ? 4 : 8;

    /// <summary>Whether this process can use the epoll transport: Linux on x86-64 or arm64.</summary>
    public static bool IsPlatformSupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Event <paramref name="index"/> of an <c>epoll_wait</c> buffer: its event bits and its data.</summary>
    public static (uint Events, ulong Data) EventAt(ReadOnlySpan<byte> events, int index)
    {
        var at = events[(index * EventSize)..];
        return (BinaryPrimitives.ReadUInt32LittleEndian(at), BinaryPrimitives.ReadUInt64LittleEndian(at[DataOffset..]));
    }

    /// <summary>Adds <paramref name="fd"/> to epoll instance <paramref name="epoll"/> for <paramref name="events"/>, tagged <paramref name="data"/>.</summary>
    public static int Add(int epoll, int fd, uint events, ulong data)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(ev, events);
        BinaryPrimitives.WriteUInt64LittleEndian(ev[DataOffset..], data);
        return epoll_ctl(epoll, EpollCtlAdd, fd, ref MemoryMarshal.GetReference(ev));
    }

    /// <summary>The <see cref="SocketError"/> .NET reports for an errno of a socket call (the ones a load run meets).</summary>
    public static SocketError ToSocketError(int errno) => errno switch
    {
        104 => SocketError.ConnectionReset, // ECONNRESET
        32 => SocketError.Shutdown, // EPIPE
        103 => SocketError.ConnectionAborted, // ECONNABORTED
        107 => SocketError.NotConnected, // ENOTCONN
        110 => SocketError.TimedOut, // ETIMEDOUT
        111 => SocketError.ConnectionRefused, // ECONNREFUSED
        113 => SocketError.HostUnreachable, // EHOSTUNREACH
        101 => SocketError.NetworkUnreachable, // ENETUNREACH
        100 => SocketError.NetworkDown, // ENETDOWN
        9 => SocketError.OperationAborted, // EBADF
        _ => SocketError.SocketError,
    };

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, ref byte @event);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int epoll_wait(int epfd, ref byte events, int maxevents, int timeout);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint read(int fd, ref byte buf, nint count);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint write(int fd, ref byte buf, nint count);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint send(int sockfd, ref byte buf, nint len, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint recv(int sockfd, ref byte buf, nint len, int flags);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int shutdown(int sockfd, int how);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int getsockopt(int sockfd, int level, int optname, ref int optval, ref int optlen);

    /// <summary>A socket's pending error (SO_ERROR, which reading clears): 0 once a non-blocking connect succeeded, else its errno.</summary>
    public static int PendingError(int fd)
    {
        int error = 0, length = sizeof(int);
        return getsockopt(fd, 1 /* SOL_SOCKET */, 4 /* SO_ERROR */, ref error, ref length) < 0 ? Marshal.GetLastPInvokeError() : error;
    }
}
