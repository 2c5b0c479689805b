using System.Globalization;
using BenchMesh.LoadEngine.Scenarios;

namespace BenchMesh.Stress.Distributed;

/// <summary>
/// Which scenarios can be split across workers, and how (docs/stress.md, "Distributed runs"). A split scenario runs
/// whole on every worker from a common start, each with its part of the load: the open-model presets divide their
/// arrival rate, concurrent_requests divides its virtual users, and every share gets its part of the connections
/// (at least one). The presets whose finding depends on one generator's view of the phase boundaries are not split.
/// </summary>
public static class WorkerSplit
{
    private const string Connections = "connections";

    /// <summary>The parameter each splittable scenario divides among its workers (besides connections).</summary>
    private static readonly Dictionary<string, string> DividedLoad = new(StringComparer.Ordinal)
    {
        [ScenarioPresets.HighLoad] = "rate",
        [ScenarioPresets.SustainedLoad] = "rate",
        [ScenarioPresets.MemoryPressure] = "rate",
        [ScenarioPresets.LargeInputs] = "rate",
        [ScenarioPresets.ConcurrentRequests] = "max_concurrency",
    };

    /// <summary>Why a scenario is not split, by scenario.</summary>
    private static readonly Dictionary<string, string> NotSplit = new(StringComparer.Ordinal)
    {
        [ScenarioPresets.Spike] = "spike is not split across workers: its recovery time is read from the phase boundaries of one generator, and workers each move to the next phase when their own requests have finished, so their phases do not line up.",
        [ScenarioPresets.FailureRecovery] = "failure_recovery is not split across workers: its recovery time is read from the phase boundaries of one generator, and workers each move to the next phase when their own requests have finished, so their phases do not line up.",
        [ScenarioPresets.RateLimiting] = "rate_limiting is not split across workers: it waits for the Retry-After its own generator was given before the recovery phase, and judges the limiter by what that one client saw.",
    };

    /// <summary>The scenarios that can be split, in the presets' order.</summary>
    public static IEnumerable<string> Splittable => ScenarioPresets.All.Keys.Where(DividedLoad.ContainsKey);

    /// <summary>
    /// Why <paramref name="scenario"/> with these (resolved) parameters cannot run on <paramref name="workers"/> workers, or
    /// null when it can (always for one worker).
    /// </summary>
    public static string? Problem(string scenario, IReadOnlyDictionary<string, double> parameters, int workers)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (workers <= 1)
        {
            return null;
        }

        if (NotSplit.TryGetValue(scenario, out var why))
        {
            return $"{why} Use workers = 1, or one of {string.Join(", ", Splittable)}.";
        }

        if (!DividedLoad.TryGetValue(scenario, out var divided))
        {
            return $"{scenario} cannot be split across workers.";
        }

        if (divided == "max_concurrency" && parameters[divided] < workers)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"concurrent_requests divides its virtual users among the workers: max_concurrency ({parameters[divided]}) must be at least workers ({workers}).");
        }

        return null;
    }

    /// <summary>The parameters of each of <paramref name="workers"/> shares (index 0 is share 1).</summary>
    /// <exception cref="ArgumentException">The scenario cannot be split so (<see cref="Problem"/>).</exception>
    public static IReadOnlyList<IReadOnlyDictionary<string, double>> Split(string scenario, IReadOnlyDictionary<string, double> parameters, int workers)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        if (Problem(scenario, parameters, workers) is { } problem)
        {
            throw new ArgumentException(problem, nameof(scenario));
        }

        if (workers == 1)
        {
            return [parameters];
        }

        var divided = DividedLoad[scenario];
        var shares = new List<IReadOnlyDictionary<string, double>>(workers);
        for (var i = 0; i < workers; i++)
        {
            var share = new Dictionary<string, double>(parameters, StringComparer.Ordinal)
            {
                // A rate divides exactly; virtual users are whole, the first shares taking one more where they do not.
                [divided] = divided == "rate" ? parameters[divided] / workers : Part((long)parameters[divided], workers, i),
                [Connections] = Math.Max(1, Part((long)parameters[Connections], workers, i)),
            };
            shares.Add(share);
        }

        return shares;
    }

    /// <summary>Share <paramref name="index"/> of <paramref name="total"/> whole units among <paramref name="count"/>: the parts add up to the total.</summary>
    public static long Part(long total, int count, int index) => total / count + (index < total % count ? 1 : 0);
}
