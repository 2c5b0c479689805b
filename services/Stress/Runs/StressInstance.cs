using System.Globalization;

namespace BenchMesh.Stress.Runs;

/// <summary>
/// This running instance of the service, as recorded in <c>stress_runs.owner</c>: machine name (the pod name on
/// Kubernetes), process id and start time. The start time tells apart a process that restarted with the same id
/// (a container's process is often pid 1 every time) and two hosts in one process (tests).
/// </summary>
public sealed class StressInstance(TimeProvider clock)
{
    public string Id { get; } = string.Create(CultureInfo.InvariantCulture,
        $"{Environment.MachineName}/{Environment.ProcessId}/{clock.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffffffZ}");
}
