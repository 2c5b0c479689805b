using System.Net;
using System.Net.Sockets;

namespace BenchMesh.FaultInjection;

public static class LoopbackPorts
{
    /// <summary>A port free on 127.0.0.1 right now (the OS picks it; it is given to a process started just after).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
