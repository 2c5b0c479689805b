using System.Net;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Execution;

/// <summary>
/// Runs one bounded load (<see cref="LoadOptions"/>) and returns its <see cref="LoadResult"/>. Each run has its own
/// <see cref="SocketsHttpHandler"/> with MaxConnectionsPerServer = connections and no cookies, redirects,
/// decompression or proxy, so what is measured is the target and the socket, nothing else.
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
        using var handler = CreateHandler(options.Connections, options.RequestTimeout);
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        var run = new LoadRun(options, factory, invoker);
        return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The handler every run uses: pooled keep-alive connections, nothing between the generator and the socket.</summary>
    public static SocketsHttpHandler CreateHandler(int connections, TimeSpan connectTimeout) => new()
    {
        MaxConnectionsPerServer = connections,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseProxy = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
    };
}
