namespace BenchMesh.LoadEngine.Transport;

/// <summary>
/// What a request came back with: the final HTTP status, the error kind it counts as (null for a success; see
/// <see cref="Requests.ErrorKinds"/>), for a 429 the wait its Retry-After asked for, and when the answer was read to its
/// end (a <see cref="System.Diagnostics.Stopwatch"/> timestamp, taken before the connection goes to the next request).
/// </summary>
internal readonly record struct Exchange(int Status, string? Error, TimeSpan? RetryAfter, long Ended = 0)
{
    /// <summary>The same answer, whenever it ended (for comparisons in tests).</summary>
    public Exchange WithoutTime() => this with { Ended = 0 };
}

/// <summary>
/// Sends one run's requests. <see cref="SendAsync"/> builds request number <c>sequence</c> (at <c>progress</c>, 0..1,
/// through the run), sends it, reads the whole answer and judges it: a 2xx of a body-checking protocol is
/// <c>invalid_body</c> when its body has not the protocol's shape, any other status is <c>http_&lt;status&gt;</c>.
/// Failures to get an answer are thrown (<see cref="IOException"/>, <see cref="HttpRequestException"/>,
/// <see cref="OperationCanceledException"/> when <c>timeout</c> fired) for <see cref="Requests.ErrorKinds.Classify"/>.
/// </summary>
internal interface ILoadTransport : IDisposable
{
    /// <summary>The transport's name in results (<see cref="Transports.NameOf"/>).</summary>
    string Name { get; }

    /// <summary>Sends request <paramref name="sequence"/> and reads its answer; <paramref name="timeout"/> ends it.</summary>
    ValueTask<Exchange> SendAsync(long sequence, double progress, CancellationToken timeout);
}
