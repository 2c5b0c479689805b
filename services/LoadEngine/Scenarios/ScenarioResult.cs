using BenchMesh.LoadEngine.Execution;

namespace BenchMesh.LoadEngine.Scenarios;

/// <summary>One run of a scenario (a scenario has one or more, e.g. baseline, overload, recovery).</summary>
/// <param name="Name">The phase's name.</param>
/// <param name="Result">Its full result.</param>
public sealed record ScenarioPhase(string Name, LoadResult Result);

/// <summary>The parts of the resilience score, each in [0, 1] (see <see cref="ResilienceScore"/>).</summary>
/// <param name="Success">Share of requests that succeeded.</param>
/// <param name="Throughput">How much of the planned (or the peak) throughput was achieved.</param>
/// <param name="Latency">Reference p99 over stressed p99.</param>
/// <param name="Recovery">How well the target came back after the stress, or limited correctly.</param>
public sealed record ResilienceComponents(double Success, double Throughput, double Latency, double Recovery);

/// <summary>What a scenario observed beyond its phases' results; fields that do not apply to a scenario are null.</summary>
/// <param name="ReferenceP99Ms">The calm p99 the stressed one is compared with.</param>
/// <param name="StressedP99Ms">The p99 over the whole scenario.</param>
/// <param name="RecoverySeconds">failure_recovery, spike: seconds into the recovery phase until latency and errors were back at baseline.</param>
/// <param name="Recovered">failure_recovery, spike, rate_limiting: whether the target came back within the recovery phase.</param>
/// <param name="RateLimited">rate_limiting: whether the target answered 429 past its declared limit.</param>
/// <param name="RetryAfterFraction">rate_limiting: share of the 429 answers that carried Retry-After.</param>
/// <param name="P99DriftRatio">sustained_load: p99 of the last third of the run over the first third.</param>
public sealed record ScenarioFindings(
    double ReferenceP99Ms,
    double StressedP99Ms,
    double? RecoverySeconds = null,
    bool? Recovered = null,
    bool? RateLimited = null,
    double? RetryAfterFraction = null,
    double? P99DriftRatio = null);

/// <summary>
/// The outcome of a scenario: its phases, findings, a resilience score in [0, 1], scaling limits (e.g.
/// <c>max_sustained_rps</c>) and recommendations in plain words.
/// </summary>
public sealed record ScenarioResult(
    string Scenario,
    IReadOnlyDictionary<string, double> Parameters,
    IReadOnlyList<ScenarioPhase> Phases,
    ScenarioFindings Findings,
    double ResilienceScore,
    ResilienceComponents Components,
    IReadOnlyDictionary<string, double> ScalingLimits,
    IReadOnlyList<string> Recommendations);
