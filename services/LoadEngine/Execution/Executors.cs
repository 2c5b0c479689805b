namespace BenchMesh.LoadEngine.Execution;

/// <summary>The workload models.</summary>
public enum ExecutorKind
{
    /// <summary>Open model: requests start at a fixed rate, whatever the responses do.</summary>
    ConstantArrivalRate,

    /// <summary>Open model: the rate moves through stages.</summary>
    RampingArrivalRate,

    /// <summary>Closed model: a fixed number of virtual users, each sending its next request when the last is answered.</summary>
    ConstantConcurrency,

    /// <summary>Closed model: the number of virtual users moves through stages.</summary>
    RampingConcurrency,
}

/// <summary>The executors' names on the command line and in results.</summary>
public static class Executors
{
    private static readonly Dictionary<string, ExecutorKind> ByName = new(StringComparer.Ordinal)
    {
        ["constant-arrival-rate"] = ExecutorKind.ConstantArrivalRate,
        ["ramping-arrival-rate"] = ExecutorKind.RampingArrivalRate,
        ["constant-concurrency"] = ExecutorKind.ConstantConcurrency,
        ["ramping-concurrency"] = ExecutorKind.RampingConcurrency,
    };

    /// <summary>Every name, in the order above.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys];

    /// <summary>The executor a name stands for.</summary>
    public static bool TryParse(string name, out ExecutorKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>The name of an executor, e.g. <c>constant-arrival-rate</c>.</summary>
    public static string NameOf(ExecutorKind kind) => ByName.First(pair => pair.Value == kind).Key;

    /// <summary>True for the open-model (arrival-rate) executors.</summary>
    public static bool IsOpen(ExecutorKind kind) => kind is ExecutorKind.ConstantArrivalRate or ExecutorKind.RampingArrivalRate;
}
