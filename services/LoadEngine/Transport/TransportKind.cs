namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// How a run's requests reach the target. <see cref="Auto"/> (the default) takes <see cref="Epoll"/> for plain
/// <c>http://</c> targets on Linux, <see cref="Socket"/> for them elsewhere, and <see cref="HttpClient"/> for
/// <c>https://</c>: the socket and epoll transports speak HTTP/1.1 over TCP only (no TLS, no HTTP/2, no proxy); the
/// socket transport costs the generator about a third less CPU per request than HttpClient, the epoll transport less
/// again (docs/stress.md, "Speed").
/// </summary>
public enum TransportKind
{
    /// <summary>Socket for http://, HttpClient for https://.</summary>
    Auto,

    /// <summary>BenchMesh's own HTTP/1.1 client on raw sockets (<see cref="Http11Transport"/>): http:// only.</summary>
    Socket,

    /// <summary>.NET's <see cref="SocketsHttpHandler"/> through an <see cref="HttpMessageInvoker"/>: http:// and https://.</summary>
    HttpClient,

    /// <summary>
    /// The socket transport's HTTP/1.1 client on an epoll loop of its own (<see cref="Epoll.EpollTransport"/>): http://
    /// only, Linux only; where epoll cannot be set up, the run uses <see cref="Socket"/> (and its result says so).
    /// </summary>
    Epoll,
}

/// <summary>The transports' names on the command line and in results, and the choice <see cref="TransportKind.Auto"/> makes.</summary>
public static class Transports
{
    private static readonly Dictionary<string, TransportKind> ByName = new(StringComparer.Ordinal)
    {
        ["auto"] = TransportKind.Auto,
        ["socket"] = TransportKind.Socket,
        ["httpclient"] = TransportKind.HttpClient,
        ["epoll"] = TransportKind.Epoll,
    };

    /// <summary>Every name, in the order of <see cref="TransportKind"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys];

    /// <summary>The transport a name stands for.</summary>
    public static bool TryParse(string name, out TransportKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>The name of a transport, e.g. <c>socket</c>.</summary>
    public static string NameOf(TransportKind kind) => ByName.First(pair => pair.Value == kind).Key;

    /// <summary>
    /// The transport a run against <paramref name="url"/> uses: <paramref name="kind"/> itself unless it is
    /// <see cref="TransportKind.Auto"/>, which is <see cref="TransportKind.Epoll"/> for http:// where the platform has
    /// epoll (Linux on x86-64 or arm64), <see cref="TransportKind.Socket"/> for http:// elsewhere, and
    /// <see cref="TransportKind.HttpClient"/> for everything else (https://).
    /// </summary>
    public static TransportKind Resolve(TransportKind kind, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return kind != TransportKind.Auto ? kind
            : url.IsAbsoluteUri && url.Scheme == Uri.UriSchemeHttp ? (Epoll.LibC.IsPlatformSupported ? TransportKind.Epoll : TransportKind.Socket)
            : TransportKind.HttpClient;
    }
}
