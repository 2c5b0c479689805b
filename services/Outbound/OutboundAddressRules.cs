using System.Net;
using System.Net.Sockets;

namespace BenchMesh.Outbound;

/// <summary>What an address is, as far as the guard cares.</summary>
public enum AddressKind
{
    Public,
    Loopback,
    Private,

    /// <summary>Never reachable, whatever the options say.</summary>
    Forbidden,
}

/// <summary>
/// Sorts addresses by the IANA special-purpose registries (iana.org/assignments/iana-ipv4-special-registry and
/// iana-ipv6-special-registry), as GitLab's UrlBlocker and Discourse's SsrfDetector do. An IPv4-mapped IPv6 address
/// (::ffff:a.b.c.d) is judged as the IPv4 address it carries; NAT64 and 6to4 addresses, which also carry one, are
/// refused outright rather than unwrapped.
/// </summary>
public static class OutboundAddressRules
{
    private static readonly (IPNetwork Network, AddressKind Kind, string Name)[] Ranges =
    [
        (IPNetwork.Parse("127.0.0.0/8"), AddressKind.Loopback, "loopback"),
        (IPNetwork.Parse("10.0.0.0/8"), AddressKind.Private, "private"),
        (IPNetwork.Parse("172.16.0.0/12"), AddressKind.Private, "private"),
        (IPNetwork.Parse("192.168.0.0/16"), AddressKind.Private, "private"),
        (IPNetwork.Parse("100.64.0.0/10"), AddressKind.Private, "shared (carrier-grade NAT)"),
        (IPNetwork.Parse("0.0.0.0/8"), AddressKind.Forbidden, "unspecified (\"this network\")"),
        (IPNetwork.Parse("169.254.0.0/16"), AddressKind.Forbidden, "link-local (cloud metadata)"),
        (IPNetwork.Parse("192.0.0.0/24"), AddressKind.Forbidden, "IETF protocol assignments"),
        (IPNetwork.Parse("192.0.2.0/24"), AddressKind.Forbidden, "documentation"),
        (IPNetwork.Parse("192.88.99.0/24"), AddressKind.Forbidden, "6to4 relay anycast"),
        (IPNetwork.Parse("198.18.0.0/15"), AddressKind.Forbidden, "benchmarking"),
        (IPNetwork.Parse("198.51.100.0/24"), AddressKind.Forbidden, "documentation"),
        (IPNetwork.Parse("203.0.113.0/24"), AddressKind.Forbidden, "documentation"),
        (IPNetwork.Parse("224.0.0.0/4"), AddressKind.Forbidden, "multicast"),
        // 240.0.0.0/4 (reserved) includes 255.255.255.255, the limited broadcast address.
        (IPNetwork.Parse("240.0.0.0/4"), AddressKind.Forbidden, "reserved or broadcast"),
        (IPNetwork.Parse("::1/128"), AddressKind.Loopback, "loopback"),
        (IPNetwork.Parse("fc00::/7"), AddressKind.Private, "unique local"),
        (IPNetwork.Parse("::/128"), AddressKind.Forbidden, "unspecified"),
        (IPNetwork.Parse("::/96"), AddressKind.Forbidden, "IPv4-compatible (deprecated)"),
        (IPNetwork.Parse("64:ff9b::/96"), AddressKind.Forbidden, "NAT64"),
        (IPNetwork.Parse("64:ff9b:1::/48"), AddressKind.Forbidden, "NAT64"),
        (IPNetwork.Parse("100::/64"), AddressKind.Forbidden, "discard-only"),
        (IPNetwork.Parse("2001::/23"), AddressKind.Forbidden, "IETF protocol assignments"),
        (IPNetwork.Parse("2001:db8::/32"), AddressKind.Forbidden, "documentation"),
        (IPNetwork.Parse("2002::/16"), AddressKind.Forbidden, "6to4"),
        (IPNetwork.Parse("fe80::/10"), AddressKind.Forbidden, "link-local"),
        (IPNetwork.Parse("fec0::/10"), AddressKind.Forbidden, "site-local (deprecated)"),
        (IPNetwork.Parse("ff00::/8"), AddressKind.Forbidden, "multicast"),
    ];

    /// <summary>The address with an IPv4-mapped IPv6 form unwrapped to its IPv4 address.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The kind of <paramref name="address"/> and the name of the range it is in ("public" when none).</summary>
    public static (AddressKind Kind, string Range) Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = Normalize(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return (AddressKind.Forbidden, "not an IP address");
        }

        // A scoped IPv6 address (fe80::1%eth0) is link-local or site-local anyway; the scope does not change its range.
        var unscoped = address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
        foreach (var (network, kind, name) in Ranges)
        {
            if (network.Contains(unscoped))
            {
                return (kind, name);
            }
        }

        return (AddressKind.Public, "public");
    }

    /// <summary>Whether <paramref name="options"/> let connections reach <paramref name="kind"/>.</summary>
    public static bool IsAllowed(AddressKind kind, OutboundOptions options) => kind switch
    {
        AddressKind.Public => true,
        AddressKind.Loopback => options.AllowLoopback,
        AddressKind.Private => options.AllowPrivateNetworks,
        _ => false,
    };
}
