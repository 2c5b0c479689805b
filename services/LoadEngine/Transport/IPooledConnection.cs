namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// A connection a <see cref="ConnectionPool{TConnection}"/> lends to one request at a time: the pool's bookkeeping,
/// and the abort it applies when that request's timeout fires. An interface rather than a base class, so that the epoll
/// transport's connection can take its socket handling from <see cref="Epoll.EpollHttp11Connection"/>.
/// </summary>
internal interface IPooledConnection : IDisposable
{
    // The pool's bookkeeping, read and written under its lock only: whether a request holds the connection, and that
    // request's timeout (a timeout that fires aborts the connection, see ConnectionPool).
    bool Busy { get; set; }

    CancellationToken Token { get; set; }

    /// <summary>Aborts a request in progress (its timeout fired, or the run ended). Any thread.</summary>
    void Abort();
}
