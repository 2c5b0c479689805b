using BenchMesh.FaultInjection;

namespace BenchMesh.FaultInjection.Tests;

public sealed class SocketOwnersTests
{
    [Fact]
    public void A_proc_net_tcp_line_gives_the_local_port_state_and_inode()
    {
        // From /proc/net/tcp: 127.0.0.1:41234 -> 127.0.0.1:8080, established (01), inode 123456.
        var socket = SocketOwners.ParseLine("   5: 0100007F:A112 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 20 4 30 10 -1");

        Assert.Equal(new SocketOwners.TcpSocket(41234, Established: true, Inode: 123456), socket);
    }

    [Fact]
    public void The_header_line_is_not_a_socket()
    {
        Assert.Null(SocketOwners.ParseLine("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
    }
}
