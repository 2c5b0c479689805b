namespace BenchMesh.Scale.Benchmark;

/// <summary>The services this run started, stopped together (each by its own process).</summary>
public sealed class RunningServices : IAsyncDisposable
{
    private readonly List<ServiceProcess> _services = [];

    public void Add(ServiceProcess service) => _services.Add(service);

    public ServiceProcess Get(string name) => _services.Single(s => s.Name == name);

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }
    }
}
