using System.Globalization;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Metrics;
using BenchMesh.LoadEngine.Requests;

namespace BenchMesh.LoadEngine.Scenarios;

/// <summary>
/// The resilience score, scaling limits and recommendations of a scenario (docs/stress.md).
/// <para>
/// score = 0.35·success + 0.25·throughput + 0.20·latency + 0.20·recovery, each part in [0, 1]:
/// success = 1 − failed/completed over every phase (in rate_limiting, 429 answers with Retry-After past the declared
/// limit are correct behaviour and count as successes); throughput = completed/planned over the phases, at most 1 (for
/// concurrent_requests, the closed model: the last fifth of the ramp's per-second throughput over its peak);
/// latency = min(1, reference p99 / p99 of all phases), the reference being the baseline phase's p99 where the scenario
/// has one, else the median of the per-second p99s; recovery = 1 − seconds to recover / length of the recovery phase
/// (0 when it never recovered) for spike and failure_recovery, ½·(share of 429s with Retry-After) + ½·(served again
/// below the limit) for rate_limiting, and 1 for the scenarios that test no recovery.
/// </para>
/// </summary>
public static class Resilience
{
    /// <summary>Weight of the success part.</summary>
    public const double SuccessWeight = 0.35;

    /// <summary>Weight of the throughput part.</summary>
    public const double ThroughputWeight = 0.25;

    /// <summary>Weight of the latency part.</summary>
    public const double LatencyWeight = 0.20;

    /// <summary>Weight of the recovery part.</summary>
    public const double RecoveryWeight = 0.20;

    /// <summary>The score of its parts.</summary>
    public static double Score(ResilienceComponents parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var score = SuccessWeight * parts.Success + ThroughputWeight * parts.Throughput + LatencyWeight * parts.Latency + RecoveryWeight * parts.Recovery;
        return Math.Round(Math.Clamp(score, 0, 1), 3);
    }

    /// <summary>
    /// Seconds into <paramref name="recovery"/> from which every second's p99 stays within max(2 × baseline p99,
    /// baseline p99 + 50 ms), its error rate within the baseline's + 1 point, and nothing is dropped; null when that never
    /// happens within the phase. The 50 ms keep a fast target's scheduling noise from counting as not recovered.
    /// </summary>
    public static double? RecoverySeconds(LoadResult baseline, LoadResult recovery)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(recovery);
        var p99Limit = Math.Max(2 * baseline.LatencyMs.P99, baseline.LatencyMs.P99 + 50);
        var errorLimit = baseline.ErrorRate + 0.01;
        var seconds = recovery.Timeline.Where(t => t.Target > 0).ToList();
        bool Healthy(TimelinePoint t) => t.Dropped == 0 && t.Requests > 0 && t.P99Ms <= p99Limit && (double)t.Errors / t.Requests <= errorLimit;
        for (var i = 0; i < seconds.Count; i++)
        {
            if (seconds.Skip(i).All(Healthy))
            {
                return seconds[i].Second;
            }
        }

        return null;
    }

    /// <summary>The median of the per-second p99s of every phase: the typical second's tail.</summary>
    public static double MedianSecondP99(IEnumerable<ScenarioPhase> phases) =>
        ScenarioPresets.Median(phases.SelectMany(p => p.Result.Timeline).Where(t => t.Requests > 0).Select(t => t.P99Ms));

    /// <summary>Builds a scenario's result: score, limits and recommendations from its phases.</summary>
    public static ScenarioResult Summarize(
        string scenario,
        IReadOnlyDictionary<string, double> parameters,
        IReadOnlyList<ScenarioPhase> phases,
        double referenceP99,
        double recovery,
        Func<ScenarioFindings, ScenarioFindings>? findings = null,
        IReadOnlyDictionary<string, double>? limits = null,
        double? throughput = null)
    {
        ArgumentNullException.ThrowIfNull(phases);
        var all = new LoadHistograms();
        foreach (var phase in phases)
        {
            all.Add(phase.Result.Histograms);
        }

        var stressedP99 = LatencySummary.Of(all.Latency).P99;
        var requests = phases.Sum(p => p.Result.Requests);
        var failed = phases.Sum(p => p.Result.ErrorCount - CorrectRejections(scenario, p));
        var success = requests == 0 ? 0 : 1 - (double)failed / requests;
        var planned = phases.Sum(p => (p.Result.TargetRps ?? 0) * p.Result.DurationSeconds);
        var throughputPart = throughput ?? (planned <= 0 ? 1 : Math.Min(1, phases.Sum(p => p.Result.Requests) / planned));
        var latencyPart = stressedP99 <= 0 ? 1 : Math.Min(1, referenceP99 / stressedP99);
        var parts = new ResilienceComponents(Round(success), Round(throughputPart), Round(latencyPart), Round(Math.Clamp(recovery, 0, 1)));

        var scaling = new Dictionary<string, double>(limits ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        var sustained = phases.Select(p => p.Result)
            .Where(r => r.TargetRps is { } t && r.ErrorRate <= 0.01 && r.AchievedRps >= 0.95 * t && r.Snapshot().DroppedRate < 0.01)
            .Select(r => r.AchievedRps).DefaultIfEmpty().Max();
        if (sustained > 0)
        {
            scaling["max_sustained_rps"] = sustained;
        }

        var found = new ScenarioFindings(referenceP99, stressedP99);
        found = findings?.Invoke(found) ?? found;
        return new ScenarioResult(scenario, parameters, phases, found, Score(parts), parts, scaling, Recommend(scenario, parameters, phases, found));
    }

    private static long CorrectRejections(string scenario, ScenarioPhase phase) =>
        scenario == ScenarioPresets.RateLimiting && phase.Name == "over_limit"
            ? Math.Min(phase.Result.RateLimited.WithRetryAfter, phase.Result.Errors.GetValueOrDefault(ErrorKinds.ForStatus(429)))
            : 0;

    private static List<string> Recommend(string scenario, IReadOnlyDictionary<string, double> parameters, IReadOnlyList<ScenarioPhase> phases, ScenarioFindings findings)
    {
        var advice = new List<string>();
        foreach (var (name, result) in phases.Select(p => (p.Name, p.Result)))
        {
            var countable = result.ErrorCount - CorrectRejections(scenario, new ScenarioPhase(name, result));
            if (result.Requests > 0 && (double)countable / result.Requests > 0.01)
            {
                var kinds = string.Join(", ", result.Errors.OrderByDescending(e => e.Value).Take(3).Select(e => $"{e.Key} {e.Value}"));
                advice.Add(F($"{name}: {100.0 * countable / result.Requests:0.#}% of requests failed ({kinds}); find what breaks at {Load(result)}."));
            }

            if (result.TargetRps is { } target && result.AchievedRps < 0.95 * target)
            {
                advice.Add(F($"{name}: achieved {result.AchievedRps:0.#} of {target:0.#} req/s planned; capacity is below the planned rate."));
            }

            if (result.Dropped > 0)
            {
                advice.Add(F($"{name}: {result.Dropped} requests were dropped (the in-flight pool was full): the target answered too slowly for the rate."));
            }

            if (result.Generator.CpuCores >= 0.9 || (result.Started > 0 && (double)result.Late / result.Started > 0.01))
            {
                advice.Add(F($"{name}: the generator was busy ({result.Generator.CpuCores:0.##} cores, {result.Late} late starts); part of the latency may be the generator's: spread the rate over more workers."));
            }

            if (result.Errors.ContainsKey(ErrorKinds.Timeout))
            {
                advice.Add(F($"{name}: {result.Errors[ErrorKinds.Timeout]} requests timed out; add back-pressure (429/503 early) rather than letting requests queue."));
            }
        }

        if (findings.StressedP99Ms > 10 * Math.Max(findings.ReferenceP99Ms, 1))
        {
            advice.Add(F($"p99 under stress ({findings.StressedP99Ms:0.#} ms) is over 10× the calm p99 ({findings.ReferenceP99Ms:0.#} ms): queueing dominates; bound queues or scale out."));
        }

        if (findings.Recovered == false && scenario != ScenarioPresets.RateLimiting)
        {
            advice.Add("Latency or errors did not return to baseline within the recovery phase: look for queues, retries or connection pools that stay saturated after the load falls.");
        }

        if (findings.RateLimited == false)
        {
            advice.Add(F($"No 429 at {parameters["overload_factor"]}× the declared limit of {parameters["declared_limit_rps"]} req/s: the limit is not enforced."));
        }

        if (findings.RetryAfterFraction is < 1)
        {
            advice.Add("Send Retry-After with every 429, so clients know when to come back.");
        }

        if (findings.Recovered == false && scenario == ScenarioPresets.RateLimiting)
        {
            advice.Add("Below the limit the agent still refused or failed requests: the limiter does not recover.");
        }

        if (findings.P99DriftRatio is > 1.5)
        {
            advice.Add(F($"p99 grew {findings.P99DriftRatio:0.##}× from the first to the last third: look for leaks or growing queues."));
        }

        if (advice.Count == 0)
        {
            advice.Add("No problem found at this load; run a breaking-point search to find the limit.");
        }

        return advice;
    }

    private static string Load(LoadResult result) =>
        result.TargetRps is { } t ? F($"{t:0.#} req/s") : F($"{result.Generator.MaxInFlight} concurrent users");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static double Round(double value) => Math.Round(value, 3);
}
