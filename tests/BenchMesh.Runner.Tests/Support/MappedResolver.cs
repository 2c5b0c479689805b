using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BenchMesh.Outbound;

namespace BenchMesh.Runner.Tests.Support;

/// <summary>
/// A <see cref="HostResolver"/> that answers the names a test maps, in turn: a name mapped to several answers gets the
/// next one at each lookup and keeps the last (a DNS server rebinding the name between lookups). Unmapped names do
/// not resolve. Nothing is asked of a real DNS server.
/// </summary>
public sealed class MappedResolver
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<IPAddress[]>> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _lookups = new(StringComparer.OrdinalIgnoreCase);

    public MappedResolver Map(string host, params string[][] answers)
    {
        _answers[host] = new ConcurrentQueue<IPAddress[]>(answers.Select(a => a.Select(IPAddress.Parse).ToArray()));
        return this;
    }

    public MappedResolver Map(string host, string address) => Map(host, [address]);

    public int LookupsOf(string host) => _lookups.GetValueOrDefault(host);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        _lookups.AddOrUpdate(host, 1, (_, n) => n + 1);
        if (!_answers.TryGetValue(host, out var answers))
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // The last answer stays: it is what the name resolves to from then on.
        var answer = answers.Count > 1 && answers.TryDequeue(out var next) ? next : answers.TryPeek(out var last) ? last : [];
        return Task.FromResult(answer);
    }

    public static implicit operator HostResolver(MappedResolver resolver) => resolver.ResolveAsync;
}

/// <summary>An <see cref="IHttpClientFactory"/> whose clients connect through <paramref name="guard"/>, as the Runner's.</summary>
public sealed class GuardedHttpClientFactory(OutboundGuard guard, TimeSpan? pooledConnectionLifetime = null) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) =>
        new(guard.Apply(new SocketsHttpHandler { PooledConnectionLifetime = pooledConnectionLifetime ?? TimeSpan.FromMinutes(2) }))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
