using System.Net.Sockets;

namespace BenchMesh.Outbound;

/// <summary>
/// The guard refused to connect: <see cref="Host"/> resolves to an address of a kind that may not be reached. A
/// <see cref="SocketException"/> with <see cref="SocketError.AccessDenied"/>, so that code which handles failed
/// connections (HttpClient, the load engine) treats it as one, and can still tell it apart by its error code.
/// The message names the host and the kind of range, never the address or the port.
/// </summary>
public sealed class OutboundAddressRefusedException(string host, AddressKind kind, string range)
    : SocketException((int)SocketError.AccessDenied, Describe(host, kind, range))
{
    public string Host { get; } = host;
    public AddressKind Kind { get; } = kind;

    /// <summary>The name of the address range, e.g. "link-local (cloud metadata)".</summary>
    public string Range { get; } = range;

    private static string Describe(string host, AddressKind kind, string range) => kind switch
    {
        AddressKind.Loopback => $"'{host}' is a loopback address, which this service may not connect to ({OutboundOptions.Section}:AllowLoopback is off).",
        AddressKind.Private => $"'{host}' is a {range} network address, which this service may not connect to ({OutboundOptions.Section}:AllowPrivateNetworks is off).",
        _ => $"'{host}' is a {range} address, which BenchMesh never connects to.",
    };
}
