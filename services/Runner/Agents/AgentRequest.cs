using System.Globalization;
using System.Text;

namespace BenchMesh.Runner.Agents;

/// <summary>
/// One agent request, encoded before the call's clock starts: the target, the JSON body as UTF-8 bytes (with a
/// <c>Content-Length</c>, never chunked) and the media types it accepts. Both paths send exactly this:
/// <see cref="AgentSocketTransport"/> as the HTTP/1.1 bytes of <see cref="ToHttp11"/>, the HttpClient path as an
/// <see cref="HttpRequestMessage"/> built from it.
/// </summary>
public sealed record AgentRequest(Uri Uri, byte[] Body, IReadOnlyList<string> Accept, string? ApiKey)
{
    /// <summary>
    /// Whether every header value can be written as it is (visible ASCII and spaces only). A key with a line break would
    /// otherwise end the header early; such a request takes the HttpClient path, which refuses it as HttpClient does.
    /// </summary>
    public bool HasPlainHeaders => ApiKey is null || ApiKey.All(c => c is >= ' ' and <= '~');

    /// <summary>
    /// The request as HTTP/1.1 bytes, as HttpClient would write it: request line, <c>Host</c>, <c>Accept</c>,
    /// <c>Authorization: Bearer</c> when there is a key, <c>Content-Type</c> and <c>Content-Length</c>, then the body.
    /// </summary>
    public byte[] ToHttp11()
    {
        var host = Uri.HostNameType == UriHostNameType.IPv6 ? Uri.Host : Uri.IdnHost;
        var head = new StringBuilder()
            .Append("POST ").Append(Uri.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(Uri.IsDefaultPort ? host : host + ":" + Uri.Port.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        if (Accept.Count > 0)
        {
            head.Append("Accept: ").AppendJoin(", ", Accept).Append("\r\n");
        }

        if (!string.IsNullOrEmpty(ApiKey))
        {
            head.Append("Authorization: Bearer ").Append(ApiKey).Append("\r\n");
        }

        head.Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append("Content-Length: ").Append(Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        var bytes = new byte[headBytes.Length + Body.Length];
        headBytes.CopyTo(bytes, 0);
        Body.CopyTo(bytes, headBytes.Length);
        return bytes;
    }
}
