using System.Net.Sockets;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// Opens the TCP connection of a run to <paramref name="host"/>:<paramref name="port"/> in place of the engine, which
/// otherwise connects itself. The Stress service passes its outbound guard here, so that every connection of a run
/// checks the address it actually reaches; the CLI's local runs pass none. A refusal is a failed connection like any
/// other: a <see cref="SocketException"/> (<see cref="SocketError.AccessDenied"/> counts as <c>address_not_allowed</c>).
/// </summary>
public delegate ValueTask<Socket> TargetConnector(string host, int port, CancellationToken cancellationToken);
