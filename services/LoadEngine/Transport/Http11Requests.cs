using System.Globalization;
using System.Text;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// The requests of a run as HTTP/1.1 bytes, as <see cref="HttpClientTransport"/> would send them: request line,
/// <c>Host</c>, <c>Authorization</c> when there is a token, and for a body <c>Content-Type: application/json</c> and
/// <c>Content-Length</c>. Requests whose bytes never change (raw GETs, bodies of a fixed size) are encoded once, one per
/// input; a growing body (large_inputs, memory_pressure) is encoded for each request.
/// </summary>
internal sealed class Http11Requests
{
    private readonly RequestFactory _factory;
    private readonly byte[] _head;
    private readonly byte[][]? _fixed;

    public Http11Requests(RequestFactory factory)
    {
        _factory = factory;
        var uri = factory.Uri;
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        var authority = uri.IsDefaultPort ? host : host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        var head = new StringBuilder()
            .Append(factory.ChecksBodies ? "POST " : "GET ").Append(uri.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(authority).Append("\r\n");
        if (factory.BearerToken is { } token)
        {
            head.Append("Authorization: Bearer ").Append(token).Append("\r\n");
        }

        if (!factory.ChecksBodies)
        {
            _head = Encoding.UTF8.GetBytes(head.Append("\r\n").ToString());
            _fixed = [_head];
            return;
        }

        _head = Encoding.UTF8.GetBytes(head.Append("Content-Type: application/json\r\n").ToString());
        if (factory.FixedBody(0) is not null)
        {
            _fixed = [.. Enumerable.Range(0, factory.InputCount).Select(i => Compose(factory.FixedBody(i)!))];
        }
    }

    /// <summary>Request <paramref name="sequence"/>'s bytes at <paramref name="progress"/> (0..1) through the run.</summary>
    public ReadOnlyMemory<byte> For(long sequence, double progress) =>
        _fixed is { } all ? all[(int)(sequence % all.Length)] : Compose(_factory.Body(sequence, progress)!);

    private byte[] Compose(byte[] body)
    {
        var length = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n"));
        var bytes = new byte[_head.Length + length.Length + body.Length];
        _head.CopyTo(bytes, 0);
        length.CopyTo(bytes, _head.Length);
        body.CopyTo(bytes, _head.Length + length.Length);
        return bytes;
    }
}
