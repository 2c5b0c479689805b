using System.Net;
using System.Net.Sockets;
using BenchMesh.Contracts.Runs;
using BenchMesh.Outbound;
using BenchMesh.Runner.Agents;
using BenchMesh.Runner.Tests.Support;
using Microsoft.Extensions.Options;

namespace BenchMesh.Runner.Tests;

/// <summary>
/// The outbound guard (services/Outbound) over real sockets: names are mapped to addresses by a test resolver, and a
/// refused address is never connected to, so nothing leaves loopback. Agents run on loopback.
/// </summary>
public sealed class OutboundGuardTests
{
    private const string Name = "agent.guard.test";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static OutboundGuard Guard(HostResolver resolver, bool loopback = false, bool privateNetworks = false) =>
        new(Options.Create(new OutboundOptions { AllowLoopback = loopback, AllowPrivateNetworks = privateNetworks }), resolver);

    private static AgentCall Call(string endpoint) => new(endpoint, "What is 1 + 1?", "{}", null, null, Timeout);

    /// <summary>Refused with every option on: metadata, link-local, multicast, unspecified, broadcast and other special ranges.</summary>
    public static TheoryData<string, string> AlwaysForbidden => new()
    {
        { "169.254.169.254", "link-local" },
        { "169.254.10.1", "link-local" },
        { "::ffff:169.254.169.254", "link-local" },
        { "fe80::1", "link-local" },
        { "224.0.0.1", "multicast" },
        { "239.255.255.250", "multicast" },
        { "ff02::1", "multicast" },
        { "0.0.0.0", "unspecified" },
        { "::", "unspecified" },
        { "255.255.255.255", "broadcast" },
        { "240.0.0.1", "reserved" },
        { "192.0.2.10", "documentation" },
        { "198.18.0.1", "benchmarking" },
        { "2001:db8::1", "documentation" },
        { "64:ff9b::a9fe:a9fe", "NAT64" },
        { "2002:a9fe:a9fe::1", "6to4" },
    };

    /// <summary>Refused unless AllowPrivateNetworks.</summary>
    public static TheoryData<string> Private => new()
    {
        "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.100.100.200", "fc00::1", "fd00:ec2::254", "::ffff:10.1.2.3",
    };

    [Theory]
    [MemberData(nameof(AlwaysForbidden))]
    public async Task Forbidden_ranges_are_refused_at_connect_time_whatever_the_options(string address, string range)
    {
        var resolver = new MappedResolver().Map(Name, address);
        var client = new HttpJsonAgentClient(new GuardedHttpClientFactory(Guard(resolver, loopback: true, privateNetworks: true)));

        var result = await client.CallAsync(Call($"http://{Name}:8080/agent"), default);

        Assert.Equal(SampleErrorKinds.AddressNotAllowed, result.ErrorKind);
        Assert.Contains(range, result.Error);
        Assert.Contains("never connects", result.Error);
        Assert.DoesNotContain(address, result.Error);
        Assert.Equal(1, resolver.LookupsOf(Name));
    }

    [Theory]
    [MemberData(nameof(Private))]
    public async Task Private_ranges_are_refused_unless_allowed(string address)
    {
        var resolver = new MappedResolver().Map(Name, address);

        var refused = await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => Guard(resolver, loopback: true).ResolveAsync(Name, default));
        Assert.Equal(AddressKind.Private, refused.Kind);
        Assert.Contains("AllowPrivateNetworks", refused.Message);

        // Allowed: the vetted address (an IPv4-mapped one unwrapped) is what a connection would use. Not connected to:
        // the address is not on this machine.
        var allowed = await Guard(resolver, privateNetworks: true).ResolveAsync(Name, default);
        Assert.Equal(IPAddress.Parse(address).IsIPv4MappedToIPv6 ? IPAddress.Parse(address).MapToIPv4() : IPAddress.Parse(address), Assert.Single(allowed));
    }

    [Fact]
    public async Task Loopback_is_refused_by_default_and_reached_when_allowed()
    {
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var port = new Uri(agent.BaseUrl).Port;
        var resolver = new MappedResolver().Map(Name, "127.0.0.1");

        var refused = await new HttpJsonAgentClient(new GuardedHttpClientFactory(Guard(resolver)))
            .CallAsync(Call($"http://{Name}:{port}/agent"), default);
        Assert.Equal(SampleErrorKinds.AddressNotAllowed, refused.ErrorKind);
        Assert.Contains("AllowLoopback", refused.Error);

        var answered = await new HttpJsonAgentClient(new GuardedHttpClientFactory(Guard(resolver, loopback: true)))
            .CallAsync(Call($"http://{Name}:{port}/agent"), default);
        Assert.Null(answered.ErrorKind);
        Assert.Equal("2", answered.Output);
        Assert.Equal(1, agent.Requests);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0x7f000001")]
    [InlineData("2130706433")]
    [InlineData("127.1")]
    [InlineData("[::1]")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("localhost")]
    public async Task Every_spelling_of_loopback_is_judged_as_the_address_it_is(string host)
    {
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var port = new Uri(agent.BaseUrl).Port;
        // "localhost" goes to the resolver like any name; the literals never do.
        var resolver = new MappedResolver().Map("localhost", "127.0.0.1");

        var refused = await new HttpJsonAgentClient(new GuardedHttpClientFactory(Guard(resolver)))
            .CallAsync(Call($"http://{host}:{port}/agent"), default);

        Assert.Equal(SampleErrorKinds.AddressNotAllowed, refused.ErrorKind);
        Assert.Contains("loopback", refused.Error);
        Assert.Equal(0, agent.Requests);
    }

    [Fact]
    public async Task A_name_rebound_from_an_allowed_to_a_forbidden_address_is_refused_on_the_next_connect()
    {
        await using var agent = await CountingAgent.StartAsync(TimeSpan.Zero);
        var port = new Uri(agent.BaseUrl).Port;
        var resolver = new MappedResolver().Map(Name, ["127.0.0.1"], ["169.254.169.254"]);
        // Connections are not kept: every call connects, and so resolves, again.
        var client = new HttpJsonAgentClient(new GuardedHttpClientFactory(Guard(resolver, loopback: true), pooledConnectionLifetime: TimeSpan.Zero));

        var first = await client.CallAsync(Call($"http://{Name}:{port}/agent"), default);
        var second = await client.CallAsync(Call($"http://{Name}:{port}/agent"), default);

        Assert.Null(first.ErrorKind);
        Assert.Equal(SampleErrorKinds.AddressNotAllowed, second.ErrorKind);
        Assert.Contains("link-local", second.Error);
        Assert.Equal(2, resolver.LookupsOf(Name));
        Assert.Equal(1, agent.Requests);
    }

    [Fact]
    public async Task A_name_with_one_forbidden_address_among_allowed_ones_is_refused()
    {
        var resolver = new MappedResolver().Map(Name, ["127.0.0.1", "169.254.169.254"]);

        var refused = await Assert.ThrowsAsync<OutboundAddressRefusedException>(() => Guard(resolver, loopback: true).ConnectAsync(Name, 80, default).AsTask());

        Assert.Equal(AddressKind.Forbidden, refused.Kind);
        Assert.Equal(SocketError.AccessDenied, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_refused_loopback_port_is_a_connection_failure_not_a_refusal_by_the_guard()
    {
        var resolver = new MappedResolver().Map(Name, "127.0.0.1");
        var port = StubAgentServer.FreePort();

        var result = await new HttpJsonAgentClient(new GuardedHttpClientFactory(Guard(resolver, loopback: true)))
            .CallAsync(Call($"http://{Name}:{port}/agent"), default);

        Assert.Equal(SampleErrorKinds.Connection, result.ErrorKind);
    }

    [Fact]
    public void Guarded_handlers_use_no_proxy_and_follow_no_redirect()
    {
        var handler = Guard(new MappedResolver()).Apply(new SocketsHttpHandler { UseProxy = true, AllowAutoRedirect = true });

        Assert.False(handler.UseProxy);
        Assert.False(handler.AllowAutoRedirect);
        Assert.NotNull(handler.ConnectCallback);
    }
}
