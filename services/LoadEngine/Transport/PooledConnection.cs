namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// A connection a <see cref="ConnectionPool{TConnection}"/> lends to one request at a time: the pool's bookkeeping,
/// and the abort it applies when that request's timeout fires.
/// </summary>
internal abstract class PooledConnection : IDisposable
{
    // The pool's bookkeeping, read and written under its lock only: whether a request holds the connection, and that
    // request's timeout (a timeout that fires aborts the connection, see ConnectionPool).
    internal bool Busy;
    internal CancellationToken Token;

    /// <summary>Aborts a request in progress (its timeout fired, or the run ended). Any thread.</summary>
    internal abstract void Abort();

    /// <summary>Closes the connection for good.</summary>
    public abstract void Dispose();
}
