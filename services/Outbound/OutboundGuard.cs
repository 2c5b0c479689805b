using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace BenchMesh.Outbound;

/// <summary>Resolves a host name to its addresses (tests map names to addresses of their choice).</summary>
public delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

/// <summary>
/// Opens TCP connections to addresses users registered (agent endpoints, stress targets) only when the address the
/// socket actually connects to is allowed (<see cref="OutboundAddressRules"/>, <see cref="OutboundOptions"/>). The
/// host is resolved once, every address it resolves to is checked, and the socket connects to those vetted addresses,
/// never to the name: a name that resolves to a public address when checked and to a private one when connected (DNS
/// rebinding) cannot pass, because there is no second lookup. Checking the URL up front and letting HttpClient resolve
/// again would leave exactly that hole. Odd spellings of an address (<c>0x7f000001</c>, <c>2130706433</c>,
/// <c>127.1</c>) need no rules of their own: they parse to the same address, which is what is checked.
/// </summary>
public sealed class OutboundGuard(IOptions<OutboundOptions> options, HostResolver resolver)
{
    /// <summary>The system resolver.</summary>
    public static readonly HostResolver SystemResolver = Dns.GetHostAddressesAsync;

    public OutboundOptions Options => options.Value;

    /// <summary>The addresses of <paramref name="host"/> (an IP literal is its own), all allowed.</summary>
    /// <exception cref="OutboundAddressRefusedException">One of them is not allowed.</exception>
    /// <exception cref="SocketException">The name does not resolve.</exception>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        var addresses = IPAddress.TryParse(literal, out var address)
            ? [address]
            : await resolver(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        var vetted = addresses.Select(OutboundAddressRules.Normalize).Distinct().ToArray();
        foreach (var candidate in vetted)
        {
            var (kind, range) = OutboundAddressRules.Classify(candidate);
            if (!OutboundAddressRules.IsAllowed(kind, options.Value))
            {
                // Refuse the name when any of its addresses is refused, rather than keep the allowed ones: a name that
                // mixes both is an attempt to make the check and the connection see different things.
                throw new OutboundAddressRefusedException(host, kind, range);
            }
        }

        return vetted;
    }

    /// <summary>A connected socket to <paramref name="host"/>:<paramref name="port"/>, through vetted addresses only.</summary>
    /// <exception cref="OutboundAddressRefusedException">The host resolves to an address that is not allowed.</exception>
    /// <exception cref="SocketException">The name does not resolve, or no address accepted the connection.</exception>
    public async ValueTask<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        // Dual-mode where the machine has IPv6 (as SocketsHttpHandler's own sockets), so one socket tries every address.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="handler"/> connect through the guard. Also no proxy (the callback would then vet the
    /// proxy, not the target) and no redirects (a redirect is a second target nobody vetted).
    /// </summary>
    public SocketsHttpHandler Apply(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.UseProxy = false;
        handler.AllowAutoRedirect = false;
        handler.ConnectCallback = async (context, ct) =>
            new NetworkStream(await ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, ct).ConfigureAwait(false), ownsSocket: true);
        return handler;
    }
}
