using System.Net;
using System.Net.Sockets;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// The addresses a run may connect to for <paramref name="host"/> (an IP literal included), each allowed, resolved once
/// per connection: the Stress service passes its outbound guard's check here beside its <see cref="TargetConnector"/>.
/// The epoll transport connects itself to exactly these addresses (no second lookup) rather than take a socket
/// connected by .NET's asynchronous connect, which would register it in .NET's socket engine too (docs/stress.md,
/// "Speed"); the other transports use the connector. A refusal is a <see cref="SocketException"/> with
/// <see cref="SocketError.AccessDenied"/> (<c>address_not_allowed</c>).
/// </summary>
public delegate Task<IPAddress[]> TargetResolver(string host, CancellationToken cancellationToken);
