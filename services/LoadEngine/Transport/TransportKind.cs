namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// How a run's requests reach the target. <see cref="Auto"/> (the default) takes <see cref="Socket"/> for plain
/// <c>http://</c> targets and <see cref="HttpClient"/> for <c>https://</c>: the socket transport speaks HTTP/1.1 over
/// TCP only (no TLS, no HTTP/2, no proxy), and costs the generator about a third less CPU per request.
/// </summary>
public enum TransportKind
{
    /// <summary>Socket for http://, HttpClient for https://.</summary>
    Auto,

    /// <summary>BenchMesh's own HTTP/1.1 client on raw sockets (<see cref="Http11Transport"/>): http:// only.</summary>
    Socket,

    /// <summary>.NET's <see cref="SocketsHttpHandler"/> through an <see cref="HttpMessageInvoker"/>: http:// and https://.</summary>
    HttpClient,
}

/// <summary>The transports' names on the command line and in results, and the choice <see cref="TransportKind.Auto"/> makes.</summary>
public static class Transports
{
    private static readonly Dictionary<string, TransportKind> ByName = new(StringComparer.Ordinal)
    {
        ["auto"] = TransportKind.Auto,
        ["socket"] = TransportKind.Socket,
        ["httpclient"] = TransportKind.HttpClient,
    };

    /// <summary>Every name, in the order of <see cref="TransportKind"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys];

    /// <summary>The transport a name stands for.</summary>
    public static bool TryParse(string name, out TransportKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>The name of a transport, e.g. <c>socket</c>.</summary>
    public static string NameOf(TransportKind kind) => ByName.First(pair => pair.Value == kind).Key;

    /// <summary>
    /// The transport a run against <paramref name="url"/> uses: <paramref name="kind"/> itself unless it is
    /// <see cref="TransportKind.Auto"/>, which is <see cref="TransportKind.Socket"/> for http:// and
    /// <see cref="TransportKind.HttpClient"/> for everything else (https://).
    /// </summary>
    public static TransportKind Resolve(TransportKind kind, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return kind != TransportKind.Auto ? kind
            : url.IsAbsoluteUri && url.Scheme == Uri.UriSchemeHttp ? TransportKind.Socket
            : TransportKind.HttpClient;
    }
}
