using System.Text.Json;
using BenchMesh.Contracts.Stress;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Metrics;
using BenchMesh.LoadEngine.Scenarios;
using BenchMesh.LoadEngine.Scheduling;

namespace BenchMesh.Stress.Distributed;

/// <summary>
/// A share's result on the wire (each phase's load result with its histograms in the load engine's encoded form), and
/// the merge of every share's result into the run's: phase by phase, counts and rates add up and percentiles come from
/// the merged histograms (<see cref="LoadResult.Merge"/>); then the scenario's findings, resilience score, scaling limits
/// and recommendations are worked out again from the merged phases, as the preset does for one generator.
/// </summary>
public static class ShareResults
{
    /// <summary>The phases of a share's scenario as they travel in <see cref="StressShareCompleted"/>.</summary>
    public static IReadOnlyList<StressSharePhase> ToWire(ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Phases.Select(p => new StressSharePhase(
            p.Name,
            JsonSerializer.SerializeToElement(p.Result, ServiceDefaultsExtensions.PublicJson),
            LoadHistogramsEncoding.Encode(p.Result.Histograms)))];
    }

    /// <summary>The phases <see cref="ToWire"/> wrote, each with its recordings restored.</summary>
    /// <exception cref="FormatException">A phase's result or histograms cannot be read.</exception>
    public static IReadOnlyList<ScenarioPhase> FromWire(IReadOnlyList<StressSharePhase> phases)
    {
        ArgumentNullException.ThrowIfNull(phases);
        return [.. phases.Select(p =>
        {
            LoadResult? result;
            try
            {
                result = p.Result.Deserialize<LoadResult>(ServiceDefaultsExtensions.PublicJson);
            }
            catch (JsonException e)
            {
                throw new FormatException($"The result of phase '{p.Name}' cannot be read: {e.Message}", e);
            }

            return new ScenarioPhase(p.Name, (result ?? throw new FormatException($"Phase '{p.Name}' has no result.")) with
            {
                Histograms = LoadHistogramsEncoding.Decode(p.Histograms),
            });
        })];
    }

    /// <summary>
    /// The run's result from its shares' phases (in share order), for the run's own <paramref name="parameters"/>
    /// (the undivided ones) and each share's (<paramref name="shareParameters"/>, in the same order).
    /// </summary>
    /// <exception cref="InvalidOperationException">The shares did not run the same phases.</exception>
    public static ScenarioResult Merge(
        string scenario,
        IReadOnlyDictionary<string, double> parameters,
        IReadOnlyList<IReadOnlyDictionary<string, double>> shareParameters,
        IReadOnlyList<IReadOnlyList<ScenarioPhase>> shares)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(shareParameters);
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count == 0)
        {
            throw new InvalidOperationException("No share to merge.");
        }

        var names = shares[0].Select(p => p.Name).ToList();
        if (shares.Any(s => !s.Select(p => p.Name).SequenceEqual(names)))
        {
            throw new InvalidOperationException(
                $"The shares ran different phases ({string.Join("; ", shares.Select(s => string.Join(", ", s.Select(p => p.Name))))}); they cannot be merged.");
        }

        var phases = names.Select((name, i) => new ScenarioPhase(name, LoadResult.Merge([.. shares.Select(s => s[i].Result)]))).ToList();
        return Summarize(scenario, parameters, shareParameters, phases);
    }

    /// <summary>What each splittable preset reports, from the merged phases: the preset's own summary, with the run's users the sum of the shares' ramps.</summary>
    private static ScenarioResult Summarize(
        string scenario,
        IReadOnlyDictionary<string, double> p,
        IReadOnlyList<IReadOnlyDictionary<string, double>> shareParameters,
        IReadOnlyList<ScenarioPhase> phases)
    {
        if (!WorkerSplit.Splittable.Contains(scenario, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"{scenario} is not split across workers.");
        }

        // Every share ramps its own users from 1: the run's users at a moment are the sum of the shares'.
        var schedules = scenario == ScenarioPresets.ConcurrentRequests
            ? shareParameters.Select(s => ConcurrencySchedule.Ramping(1, [new Stage(TimeSpan.FromSeconds(s["duration_s"]), (int)s["max_concurrency"])])).ToList()
            : [];
        return ScenarioPresets.Summarize(scenario, p, phases, schedules.Count == 0 ? null : at => schedules.Sum(s => s.UsersAt(at)));
    }
}
