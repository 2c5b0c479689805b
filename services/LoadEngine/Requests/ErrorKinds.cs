using System.Globalization;
using System.Net.Http;
using System.Net.Sockets;

namespace BenchMesh.LoadEngine.Requests;

/// <summary>
/// How a failed request is counted: <c>http_&lt;status&gt;</c> for a non-2xx answer (e.g. <c>http_503</c>), or one
/// of the constants here.
/// </summary>
public static class ErrorKinds
{
    /// <summary>No complete answer within the request timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>Nothing listens at the address (TCP RST on connect).</summary>
    public const string ConnectionRefused = "connection_refused";

    /// <summary>The connection was reset or closed before the answer was complete.</summary>
    public const string ConnectionReset = "connection_reset";

    /// <summary>The run's connector refused the target's address (the Stress service's outbound guard).</summary>
    public const string AddressNotAllowed = "address_not_allowed";

    /// <summary>A 2xx answer whose body does not have the protocol's shape (http-json, openai-chat).</summary>
    public const string InvalidBody = "invalid_body";

    /// <summary>Anything else (DNS, TLS, a malformed HTTP answer, ...).</summary>
    public const string Other = "other";

    // Every status's kind, made once: this is on every failed request's path.
    private static readonly string[] StatusKinds = [.. Enumerable.Range(0, 1000).Select(s => "http_" + s.ToString(CultureInfo.InvariantCulture))];

    /// <summary>The kind for a non-success HTTP status, e.g. <c>http_503</c>.</summary>
    public static string ForStatus(int status) =>
        (uint)status < (uint)StatusKinds.Length ? StatusKinds[status] : "http_" + status.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The kind of an exception thrown while sending or reading. <paramref name="timedOut"/> says whether the request's own
    /// timeout had fired (a cancellation for any other reason is not an error and is not classified here).
    /// </summary>
    public static string Classify(Exception exception, bool timedOut)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (timedOut || exception is TimeoutException)
        {
            return Timeout;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => ConnectionRefused,
                    SocketError.AccessDenied => AddressNotAllowed,
                    SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.NotConnected => ConnectionReset,
                    SocketError.TimedOut => Timeout,
                    _ => Other,
                };
            }
        }

        if (exception is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }
            || exception.InnerException is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded }
            || exception is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded })
        {
            return ConnectionReset;
        }

        return Other;
    }
}
