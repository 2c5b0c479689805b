namespace BenchMesh.Runner.Tests.Support;

/// <summary>One SampleAgents server and one misbehaving stub, shared by a test class.</summary>
public sealed class AgentServersFixture : IAsyncLifetime
{
    public SampleAgentsServer SampleAgents { get; private set; } = null!;
    public StubAgentServer Stub { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        SampleAgents = new SampleAgentsServer();
        Stub = await StubAgentServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Stub.DisposeAsync();
        await SampleAgents.DisposeAsync();
    }
}

/// <summary>Hands out one plain HttpClient, like the runner's named client: no retries, no timeout of its own.</summary>
public sealed class PlainHttpClientFactory : IHttpClientFactory
{
    private static readonly HttpClient Client = new() { Timeout = Timeout.InfiniteTimeSpan };

    public HttpClient CreateClient(string name) => Client;
}
