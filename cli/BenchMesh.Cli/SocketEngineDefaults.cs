namespace BenchMesh.Cli;

/// <summary>
/// The .NET socket-engine settings <c>tests/Benchmarks/stress-benchmark.sh</c> measured fastest for the load engine on a
/// small machine, applied by the CLI to its own process so that <c>benchmesh stress</c> runs at the benchmark's speed
/// with no environment variable set.
/// <list type="bullet">
/// <item><c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>: socket continuations run on the epoll thread instead of
/// hopping to the thread pool, so less CPU per request (and more left for a target on the same machine). Safe here: the
/// CLI is a short-lived client whose socket continuations are its own non-blocking async code (the load engine's
/// request loop, the gateway client); nothing in it waits synchronously for a socket, which is what would stall the
/// engine. The Stress service does not do this (services/Stress/Program.cs says why).</item>
/// <item><c>DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT</c>: with inline completions .NET starts one epoll thread per core,
/// each running request loops. Half the cores (at least one) leaves the rest to the target, which is usually on the same
/// machine when its speed is measured: on 2 cores, one thread, as wrk -t1 (measured: 6.0 instead of 6.7 µs of CPU per
/// request, the benchmark script's comments).</item>
/// </list>
/// </summary>
/// <remarks>
/// .NET 10 reads both from the environment only: <c>SocketAsyncEngine.Unix.cs</c> calls
/// <c>Environment.GetEnvironmentVariable</c> in its static initializer, with no AppContext switch, so a runtimeconfig
/// property (csproj <c>RuntimeHostConfigurationOption</c>) would not be seen. It reads them once, when the process
/// registers its first socket; setting them in-process before any socket exists is therefore enough, without a re-exec
/// or a launcher script. A value the user set (e.g. <c>..._INLINE_COMPLETIONS=0</c> to compare) is left alone.
/// </remarks>
public static class SocketEngineDefaults
{
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    public const string ThreadCount = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>Applies the settings the environment does not already give; returns the names and values applied.</summary>
    public static IReadOnlyDictionary<string, string> Apply(Func<string, string?> get, Action<string, string> set, int processorCount)
    {
        ArgumentNullException.ThrowIfNull(get);
        ArgumentNullException.ThrowIfNull(set);
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        if (get(InlineCompletions) is null)
        {
            applied[InlineCompletions] = "1";
        }

        // Only with inline completions (the user's or ours): without them the engine count is .NET's own choice.
        if (get(ThreadCount) is null && (applied.ContainsKey(InlineCompletions) || get(InlineCompletions) == "1"))
        {
            applied[ThreadCount] = Math.Max(1, processorCount / 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in applied)
        {
            set(name, value);
        }

        return applied;
    }

    /// <summary>Applies them to this process; call before anything opens a socket.</summary>
    public static void ApplyToProcess() =>
        Apply(Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable, Environment.ProcessorCount);
}
