using System.Globalization;
using BenchMesh.LoadEngine.Execution;
using BenchMesh.LoadEngine.Requests;
using BenchMesh.LoadEngine.Scheduling;

namespace BenchMesh.LoadEngine.Scenarios;

/// <summary>A documented parameter of a preset: its default and what it does. Durations are in seconds.</summary>
/// <param name="Name">The key, e.g. <c>rate</c>.</param>
/// <param name="Default">The value used when the key is not overridden.</param>
/// <param name="Description">What it does.</param>
public sealed record ScenarioParameter(string Name, double Default, string Description);

/// <summary>A scenario: a name, what it does, and its parameters.</summary>
/// <param name="Name">The scenario's name, e.g. <c>high_load</c>.</param>
/// <param name="Description">What it does and what it reports.</param>
/// <param name="Parameters">Its parameters with their defaults.</param>
public sealed record ScenarioPreset(string Name, string Description, IReadOnlyList<ScenarioParameter> Parameters);

/// <summary>
/// The seed's eight stress scenarios, each a fixed shape of load with documented, overridable parameters
/// (docs/stress.md). Defaults follow the seed (high_load: 100 connections, 1,000 req/s, 300 s); short runs override
/// the durations. Every scenario returns a <see cref="ScenarioResult"/> with its phases, a resilience score, scaling
/// limits and recommendations.
/// </summary>
public static class ScenarioPresets
{
    /// <summary>A constant high arrival rate.</summary>
    public const string HighLoad = "high_load";

    /// <summary>A moderate rate held for long, watching latency drift.</summary>
    public const string SustainedLoad = "sustained_load";

    /// <summary>Baseline, a sudden burst, baseline again.</summary>
    public const string Spike = "spike";

    /// <summary>Bodies growing to very large sizes at a steady rate.</summary>
    public const string MemoryPressure = "memory_pressure";

    /// <summary>Virtual users ramped up in a closed loop.</summary>
    public const string ConcurrentRequests = "concurrent_requests";

    /// <summary>Steps of larger and larger inputs at a low rate.</summary>
    public const string LargeInputs = "large_inputs";

    /// <summary>Past the declared limit, then below it.</summary>
    public const string RateLimiting = "rate_limiting";

    /// <summary>Baseline, overload, recovery.</summary>
    public const string FailureRecovery = "failure_recovery";

    private const string Connections = "connections";

    /// <summary>Every preset by name.</summary>
    public static IReadOnlyDictionary<string, ScenarioPreset> All { get; } = new[]
    {
        new ScenarioPreset(HighLoad, "A constant arrival rate (open model) at high load; reports whether the rate was held and at what latency.",
        [
            new("rate", 1000, "requests per second"),
            new("duration_s", 300, "how long"),
            new(Connections, 100, "TCP connections at most"),
        ]),
        new ScenarioPreset(SustainedLoad, "A moderate constant rate held for long; reports the p99 drift from the first to the last third.",
        [
            new("rate", 100, "requests per second"),
            new("duration_s", 600, "how long"),
            new(Connections, 50, "TCP connections at most"),
        ]),
        new ScenarioPreset(Spike, "Baseline rate, a sudden burst, baseline again (three phases); reports how long latency took to come back.",
        [
            new("base_rate", 50, "requests per second before and after the spike"),
            new("spike_rate", 500, "requests per second during the spike"),
            new("base_s", 30, "length of each baseline phase"),
            new("spike_s", 30, "length of the spike"),
            new(Connections, 100, "TCP connections at most"),
        ]),
        new ScenarioPreset(MemoryPressure, "A steady rate whose request bodies grow from input_chars_start to input_chars_end; reports the largest size served without errors.",
        [
            new("rate", 20, "requests per second"),
            new("duration_s", 60, "how long"),
            new("input_chars_start", 10_000, "input size at the start (characters)"),
            new("input_chars_end", 1_000_000, "input size at the end (characters)"),
            new(Connections, 50, "TCP connections at most"),
        ]),
        new ScenarioPreset(ConcurrentRequests, "Virtual users ramped from 1 to max_concurrency in a closed loop; reports the concurrency at peak throughput.",
        [
            new("max_concurrency", 100, "virtual users at the end of the ramp"),
            new("duration_s", 60, "length of the ramp"),
            new(Connections, 100, "TCP connections at most"),
        ]),
        new ScenarioPreset(LargeInputs, "A low rate in steps of input size (×10 from input_chars_start up to input_chars_end); reports the largest size served without errors.",
        [
            new("rate", 5, "requests per second"),
            new("step_s", 10, "length of each size step"),
            new("input_chars_start", 1_000, "the first size (characters)"),
            new("input_chars_end", 100_000, "the last size (characters)"),
            new(Connections, 20, "TCP connections at most"),
        ]),
        new ScenarioPreset(RateLimiting, "overload_factor × the declared limit, then (after the longest Retry-After, at most max_wait_s) half the limit; checks for 429 with Retry-After and recovery.",
        [
            new("declared_limit_rps", 10, "the agent's declared rate limit"),
            new("overload_factor", 3, "how far past the limit the first phase drives"),
            new("phase_s", 10, "length of each phase"),
            new("max_wait_s", 30, "the longest Retry-After honoured before the recovery phase"),
            new(Connections, 20, "TCP connections at most"),
        ]),
        new ScenarioPreset(FailureRecovery, "Baseline, overload, baseline again (three phases); reports the seconds until latency and error rate were back at baseline.",
        [
            new("base_rate", 20, "requests per second before and after the overload"),
            new("overload_rate", 200, "requests per second during the overload"),
            new("base_s", 10, "length of the baseline phase"),
            new("overload_s", 10, "length of the overload"),
            new("recovery_s", 20, "length of the recovery phase"),
            new(Connections, 50, "TCP connections at most"),
        ]),
    }.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The preset's defaults with <paramref name="overrides"/> applied.</summary>
    /// <exception cref="ArgumentException">An unknown scenario or parameter, or a value that is not positive.</exception>
    public static IReadOnlyDictionary<string, double> Resolve(string scenario, IReadOnlyDictionary<string, double>? overrides)
    {
        if (!All.TryGetValue(scenario, out var preset))
        {
            throw new ArgumentException($"Unknown scenario '{scenario}'; use one of {string.Join(", ", All.Keys)}.", nameof(scenario));
        }

        var values = preset.Parameters.ToDictionary(p => p.Name, p => p.Default, StringComparer.Ordinal);
        foreach (var (name, value) in overrides ?? new Dictionary<string, double>())
        {
            if (!values.ContainsKey(name))
            {
                throw new ArgumentException($"{scenario} has no parameter '{name}'; its parameters are {string.Join(", ", values.Keys)}.", nameof(overrides));
            }

            if (!(value > 0) || !double.IsFinite(value))
            {
                throw new ArgumentException($"{scenario}: '{name}' must be a positive number.", nameof(overrides));
            }

            values[name] = value;
        }

        return values;
    }

    /// <summary>Runs a scenario against a target.</summary>
    /// <exception cref="ArgumentException">An unknown scenario or parameter, or a target the scenario cannot load.</exception>
    public static async Task<ScenarioResult> RunAsync(
        string scenario, ScenarioTarget target, IReadOnlyDictionary<string, double>? overrides = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var p = Resolve(scenario, overrides);
        if (scenario is MemoryPressure or LargeInputs && target.Request.Protocol == LoadProtocols.Raw)
        {
            throw new ArgumentException($"{scenario} sends request bodies: use the http-json or openai-chat protocol.", nameof(target));
        }

        var runner = new PhaseRunner(target, (int)p[Connections], cancellationToken);
        return scenario switch
        {
            HighLoad or SustainedLoad => await ConstantAsync(scenario, p, runner).ConfigureAwait(false),
            Spike => await ThreePhaseAsync(scenario, p, runner, p["base_rate"], p["base_s"], p["spike_rate"], p["spike_s"], p["base_s"]).ConfigureAwait(false),
            FailureRecovery => await ThreePhaseAsync(scenario, p, runner, p["base_rate"], p["base_s"], p["overload_rate"], p["overload_s"], p["recovery_s"]).ConfigureAwait(false),
            MemoryPressure => await MemoryPressureAsync(p, runner, target).ConfigureAwait(false),
            ConcurrentRequests => await ConcurrentAsync(p, runner).ConfigureAwait(false),
            LargeInputs => await LargeInputsAsync(p, runner, target).ConfigureAwait(false),
            _ => await RateLimitingAsync(p, runner).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// What a scenario reports from its phases: findings, resilience score, scaling limits and recommendations. The
    /// presets call it on what they ran; a distributed run calls it on its shares' merged phases, with
    /// <paramref name="usersAt"/> the run's users at a moment (the sum of its shares' ramps) for concurrent_requests.
    /// </summary>
    /// <param name="p">The scenario's resolved parameters (<see cref="Resolve"/>), undivided.</param>
    public static ScenarioResult Summarize(
        string scenario, IReadOnlyDictionary<string, double> p, IReadOnlyList<ScenarioPhase> phases, Func<TimeSpan, double>? usersAt = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(phases);
        switch (scenario)
        {
            case HighLoad:
                return Resilience.Summarize(scenario, p, phases, Resilience.MedianSecondP99(phases), recovery: 1);

            case SustainedLoad:
            {
                // Does the p99 creep up over a long run? The median p99 of the last third against the first third's.
                var timeline = phases[0].Result.Timeline.Where(t => t.Requests > 0).ToList();
                var third = timeline.Count / 3;
                double? drift = null;
                if (third > 0)
                {
                    var first = Median(timeline.Take(third).Select(t => t.P99Ms));
                    var last = Median(timeline.Skip(timeline.Count - third).Select(t => t.P99Ms));
                    drift = first > 0 ? Math.Round(last / first, 3) : null;
                }

                return Resilience.Summarize(scenario, p, phases, Resilience.MedianSecondP99(phases), recovery: 1, findings: f => f with { P99DriftRatio = drift });
            }

            case Spike or FailureRecovery:
            {
                var baseline = phases[0].Result;
                var recoverySeconds = scenario == Spike ? p["base_s"] : p["recovery_s"];
                var recoveredAfter = Resilience.RecoverySeconds(baseline, phases[2].Result);
                var recovery = recoveredAfter is { } s ? Math.Clamp(1 - s / recoverySeconds, 0, 1) : 0;
                return Resilience.Summarize(scenario, p, phases, baseline.LatencyMs.P99, recovery,
                    f => f with { RecoverySeconds = recoveredAfter, Recovered = recoveredAfter is not null });
            }

            case MemoryPressure:
            {
                // The body grows linearly from input_chars_start to input_chars_end: the first second with errors
                // above 1 % marks the largest body served.
                double start = (int)p["input_chars_start"], end = (int)p["input_chars_end"], duration = p["duration_s"];
                var firstFailing = phases[0].Result.Timeline.FirstOrDefault(t => t.Requests > 0 && (double)t.Errors / t.Requests > 0.01);
                var largestOk = firstFailing is null ? end : start + (end - start) * firstFailing.Second / duration;
                return Resilience.Summarize(scenario, p, phases, Resilience.MedianSecondP99(phases), recovery: 1,
                    limits: new Dictionary<string, double> { ["max_input_chars_ok"] = Math.Round(largestOk) });
            }

            case ConcurrentRequests:
            {
                var schedule = ConcurrencySchedule.Ramping(1, [new Stage(Seconds(p["duration_s"]), (int)p["max_concurrency"])]);
                usersAt ??= at => schedule.UsersAt(at);
                var seconds = phases[0].Result.Timeline.Where(t => t.Requests > 0).ToList();
                var limits = new Dictionary<string, double>();
                double throughput = 1;
                if (seconds.Count > 0)
                {
                    var peak = seconds.MaxBy(t => t.Requests)!;
                    limits["peak_rps"] = peak.Requests;
                    limits["concurrency_at_peak"] = usersAt(TimeSpan.FromSeconds(peak.Second + 0.5));
                    // Closed model: throughput is judged as the last fifth of the ramp against the peak (does more concurrency collapse it?).
                    var tail = seconds.Skip(seconds.Count - Math.Max(1, seconds.Count / 5)).Average(t => t.Requests);
                    throughput = Math.Min(1, tail / peak.Requests);
                }

                return Resilience.Summarize(scenario, p, phases, Resilience.MedianSecondP99(phases), recovery: 1, limits: limits, throughput: throughput);
            }

            case LargeInputs:
            {
                // The phases are the size steps: ×10 from input_chars_start, the last at input_chars_end.
                long size = (int)p["input_chars_start"], end = (int)p["input_chars_end"];
                double? largestOk = null;
                foreach (var phase in phases)
                {
                    if (phase.Result.ErrorRate <= 0.01)
                    {
                        largestOk = size;
                    }

                    size = Math.Min(size * 10, end);
                }

                var limits = largestOk is { } ok ? new Dictionary<string, double> { ["max_input_chars_ok"] = ok } : null;
                return Resilience.Summarize(scenario, p, phases, phases[0].Result.LatencyMs.P99, recovery: 1, limits: limits);
            }

            case RateLimiting:
            {
                LoadResult over = phases[0].Result, under = phases[1].Result;
                var limited = over.RateLimited.Responses429 > 0;
                double? retryAfterFraction = limited ? Math.Round((double)over.RateLimited.WithRetryAfter / over.RateLimited.Responses429, 3) : null;
                var recovered = under.RateLimited.Responses429 == 0 && under.ErrorRate <= 0.01;
                // Half for limiting correctly (429 with Retry-After), half for serving again below the limit.
                var recovery = 0.5 * (retryAfterFraction ?? 0) + (recovered ? 0.5 : 0);
                var limits = new Dictionary<string, double> { ["accepted_rps_over_limit"] = Math.Round((over.Requests - over.ErrorCount) / Math.Max(over.DurationSeconds, 1e-6), 3) };
                return Resilience.Summarize(scenario, p, phases, under.LatencyMs.P99, recovery,
                    f => f with { RateLimited = limited, RetryAfterFraction = retryAfterFraction, Recovered = recovered },
                    limits);
            }

            default:
                throw new ArgumentException($"Unknown scenario '{scenario}'.", nameof(scenario));
        }
    }

    private static async Task<ScenarioResult> ConstantAsync(string scenario, IReadOnlyDictionary<string, double> p, PhaseRunner runner)
    {
        var result = await runner.RunAsync(o => o with { Rate = p["rate"], Duration = Seconds(p["duration_s"]) }).ConfigureAwait(false);
        return Summarize(scenario, p, [new ScenarioPhase("load", result)]);
    }

    private static async Task<ScenarioResult> ThreePhaseAsync(
        string scenario, IReadOnlyDictionary<string, double> p, PhaseRunner runner,
        double baseRate, double baseSeconds, double stressRate, double stressSeconds, double recoverySeconds)
    {
        var baseline = await runner.RunAsync(o => o with { Rate = baseRate, Duration = Seconds(baseSeconds) }).ConfigureAwait(false);
        var stress = await runner.RunAsync(o => o with { Rate = stressRate, Duration = Seconds(stressSeconds) }).ConfigureAwait(false);
        var after = await runner.RunAsync(o => o with { Rate = baseRate, Duration = Seconds(recoverySeconds) }).ConfigureAwait(false);
        return Summarize(scenario, p,
        [
            new ScenarioPhase("baseline", baseline),
            new ScenarioPhase(scenario == Spike ? "spike" : "overload", stress),
            new ScenarioPhase("recovery", after),
        ]);
    }

    private static async Task<ScenarioResult> MemoryPressureAsync(IReadOnlyDictionary<string, double> p, PhaseRunner runner, ScenarioTarget target)
    {
        var result = await runner.RunAsync(o => o with
        {
            Rate = p["rate"],
            Duration = Seconds(p["duration_s"]),
            Request = target.Request with { InputChars = (int)p["input_chars_start"], InputCharsEnd = (int)p["input_chars_end"] },
        }).ConfigureAwait(false);
        return Summarize(MemoryPressure, p, [new ScenarioPhase("growing_bodies", result)]);
    }

    private static async Task<ScenarioResult> ConcurrentAsync(IReadOnlyDictionary<string, double> p, PhaseRunner runner)
    {
        var stages = new[] { new Stage(Seconds(p["duration_s"]), (int)p["max_concurrency"]) };
        var result = await runner.RunAsync(o => o with { Executor = ExecutorKind.RampingConcurrency, StartTarget = 1, Stages = stages }).ConfigureAwait(false);
        return Summarize(ConcurrentRequests, p, [new ScenarioPhase("ramp", result)]);
    }

    private static async Task<ScenarioResult> LargeInputsAsync(IReadOnlyDictionary<string, double> p, PhaseRunner runner, ScenarioTarget target)
    {
        int start = (int)p["input_chars_start"], end = (int)p["input_chars_end"];
        var phases = new List<ScenarioPhase>();
        for (long size = start; ; size = Math.Min(size * 10, end))
        {
            var chars = (int)size;
            var result = await runner.RunAsync(o => o with
            {
                Rate = p["rate"],
                Duration = Seconds(p["step_s"]),
                Request = target.Request with { InputChars = chars, InputCharsEnd = null },
            }).ConfigureAwait(false);
            phases.Add(new ScenarioPhase(string.Create(CultureInfo.InvariantCulture, $"chars_{chars}"), result));
            if (size >= end)
            {
                break;
            }
        }

        return Summarize(LargeInputs, p, phases);
    }

    private static async Task<ScenarioResult> RateLimitingAsync(IReadOnlyDictionary<string, double> p, PhaseRunner runner)
    {
        var limit = p["declared_limit_rps"];
        var phaseSeconds = p["phase_s"];
        var over = await runner.RunAsync(o => o with { Rate = limit * p["overload_factor"], Duration = Seconds(phaseSeconds) }).ConfigureAwait(false);
        var wait = Math.Min(over.RateLimited.MaxRetryAfterSeconds, p["max_wait_s"]);
        await Task.Delay(Seconds(wait), runner.CancellationToken).ConfigureAwait(false);
        var under = await runner.RunAsync(o => o with { Rate = limit / 2, Duration = Seconds(phaseSeconds) }).ConfigureAwait(false);
        return Summarize(RateLimiting, p, [new ScenarioPhase("over_limit", over), new ScenarioPhase("under_limit", under)]);
    }

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Runs the phases of one scenario with the same target and connection limit.</summary>
    private sealed class PhaseRunner(ScenarioTarget target, int connections, CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken => cancellationToken;

        public Task<LoadResult> RunAsync(Func<LoadOptions, LoadOptions> shape)
        {
            var options = shape(new LoadOptions
            {
                Url = target.Url,
                Request = target.Request,
                Executor = ExecutorKind.ConstantArrivalRate,
                Connections = connections,
                RequestTimeout = target.RequestTimeout,
                GracefulStop = target.GracefulStop,
                Connector = target.Connector,
                Resolver = target.Resolver,
            });
            return LoadGenerator.RunAsync(options, cancellationToken);
        }
    }
}
