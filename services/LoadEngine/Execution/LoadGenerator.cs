using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Transport;
using BenchMesh.LoadEngine.Transport.Epoll;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>
/// Runs one bounded load (<see cref="LoadOptions"/>) and returns its <see cref="LoadResult"/>. Each run has its own
/// transport (<see cref="LoadOptions.Transport"/>): for plain http:// targets by default BenchMesh's HTTP/1.1 socket
/// client (<see cref="Http11Transport"/>), else a <see cref="SocketsHttpHandler"/> (<see cref="CreateHandler"/>). Both keep
/// at most <see cref="LoadOptions.Connections"/> keep-alive connections and add no cookies, redirects, decompression or
/// proxy, so what is measured is the target and the socket, nothing else. The first run of each transport in a process
/// is preceded by the generator's own warm-up against a loopback responder of its own (<see cref="EngineWarmUp"/>),
/// never the target.
/// </summary>
public static class LoadGenerator
{
    /// <summary>Runs the load.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<LoadResult> RunAsync(LoadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        var factory = new RequestFactory(options.Url, options.Request);
        // The first run of its transport in a process: warm the generator up first, away from the target (EngineWarmUp).
        await EngineWarmUp.EnsureAsync(Transports.Resolve(options.Transport, factory.Uri)).WaitAsync(cancellationToken).ConfigureAwait(false);
        using var transport = CreateTransport(options, factory);
        var run = new LoadRun(options, factory, transport);
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Warms the generator up for runs against <paramref name="url"/> through <paramref name="transport"/> now, as the
    /// first such run would (<see cref="EngineWarmUp"/>: 1-3 s, once per process and transport). For a caller whose run
    /// must start on time, e.g. a share of a distributed run at its common start; <see cref="RunAsync"/> does it itself.
    /// </summary>
    public static Task WarmUpAsync(Uri url, TransportKind transport = TransportKind.Auto, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        return EngineWarmUp.EnsureAsync(Transports.Resolve(transport, url)).WaitAsync(cancellationToken);
    }

    /// <summary>The handler the HttpClient transport uses: pooled keep-alive connections, nothing between the generator and the socket.</summary>
    public static SocketsHttpHandler CreateHandler(int connections, TimeSpan connectTimeout) => HttpClientTransport.CreateHandler(connections, connectTimeout);

    /// <summary>
    /// The run's transport: <see cref="LoadOptions.Transport"/> as resolved for its URL; the epoll transport falls back to
    /// the socket transport where epoll cannot be set up (not Linux, or no epoll instance to be had), and the result's
    /// <c>generator.transport</c> names the one used.
    /// </summary>
    internal static ILoadTransport CreateTransport(LoadOptions options, RequestFactory factory) =>
        Transports.Resolve(options.Transport, factory.Uri) switch
        {
            TransportKind.Epoll => (ILoadTransport?)EpollTransport.TryCreate(factory, options.Connections, options.Connector, options.Resolver)
                ?? new Http11Transport(factory, options.Connections, options.Connector),
            TransportKind.Socket => new Http11Transport(factory, options.Connections, options.Connector),
            _ => new HttpClientTransport(factory, options.Connections, options.RequestTimeout, options.Connector),
        };
}
