namespace BenchMesh.Outbound;

/// <summary>
/// Configuration section <c>Outbound</c>: which kinds of address, beyond the public internet, connections to agents
/// and stress targets may reach. Link-local (cloud metadata), multicast, unspecified, broadcast and the other IANA
/// special-purpose ranges are refused whatever is set here (<see cref="OutboundAddressRules"/>).
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>127.0.0.0/8 and ::1: off by default; ./run.sh and the app host turn it on for the sample agents.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT) and fc00::/7 (unique local).</summary>
    public bool AllowPrivateNetworks { get; set; }
}
