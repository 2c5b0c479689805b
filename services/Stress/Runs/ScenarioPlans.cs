using BenchMesh.LoadEngine.Scenarios;

namespace BenchMesh.Stress.Runs;

/// <summary>
/// What the service lets a stress run ask for, beyond what the load engine's presets accept: every run is bounded in
/// time, rate and connections, so that one request cannot hold the service (or the agent) for hours.
/// </summary>
public static class ScenarioPlans
{
    /// <summary>The longest a scenario may plan to run, all phases together.</summary>
    public const double MaxPlannedSeconds = 900;

    /// <summary>The highest arrival rate any phase may ask for.</summary>
    public const double MaxRate = 5_000;

    /// <summary>The most TCP connections or virtual users.</summary>
    public const double MaxConnections = 1_000;

    /// <summary>The largest request body, in characters.</summary>
    public const double MaxInputChars = 2_000_000;

    private static readonly string[] RateParameters = ["rate", "base_rate", "spike_rate", "overload_rate"];
    private static readonly string[] SizeParameters = ["input_chars_start", "input_chars_end"];

    /// <summary>
    /// The preset's parameters with <paramref name="overrides"/> applied and checked: field errors (key
    /// <c>parameters.&lt;name&gt;</c>, or <c>scenario</c>/<c>parameters</c>) for an unknown scenario or parameter, a value
    /// that is not a positive number, or a run beyond the service's bounds.
    /// </summary>
    public static (IReadOnlyDictionary<string, double>? Parameters, Dictionary<string, string> Errors) Resolve(
        string scenario, IReadOnlyDictionary<string, double>? overrides)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!ScenarioPresets.All.TryGetValue(scenario, out var preset))
        {
            errors["scenario"] = $"must be one of {string.Join(", ", ScenarioPresets.All.Keys)}.";
            return (null, errors);
        }

        var known = preset.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, value) in overrides ?? new Dictionary<string, double>())
        {
            if (!known.Contains(name))
            {
                errors[$"parameters.{name}"] = $"is not a parameter of {scenario}; its parameters are {string.Join(", ", known)}.";
            }
            else if (!(value > 0) || !double.IsFinite(value))
            {
                errors[$"parameters.{name}"] = "must be a positive number.";
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var resolved = ScenarioPresets.Resolve(scenario, overrides);
        foreach (var name in RateParameters.Where(resolved.ContainsKey).Where(n => resolved[n] > MaxRate))
        {
            errors[$"parameters.{name}"] = $"must be at most {MaxRate} requests per second.";
        }

        foreach (var name in new[] { "connections", "max_concurrency" }.Where(resolved.ContainsKey).Where(n => resolved[n] > MaxConnections))
        {
            errors[$"parameters.{name}"] = $"must be at most {MaxConnections}.";
        }

        foreach (var name in SizeParameters.Where(resolved.ContainsKey).Where(n => resolved[n] > MaxInputChars))
        {
            errors[$"parameters.{name}"] = $"must be at most {MaxInputChars} characters.";
        }

        var planned = PlannedSeconds(scenario, resolved);
        if (planned > MaxPlannedSeconds)
        {
            errors["parameters"] = $"{scenario} would run for {planned:0} s with these parameters; a stress run may plan at most {MaxPlannedSeconds:0} s (shorten its durations).";
        }

        return errors.Count > 0 ? (null, errors) : (resolved, errors);
    }

    /// <summary>
    /// The planned seconds of a stored run's parameters, or null when they are not a preset's (a run stored before the
    /// scenarios had their own parameters).
    /// </summary>
    public static double? TryPlannedSeconds(string scenario, System.Text.Json.JsonElement parameters)
    {
        if (parameters.ValueKind != System.Text.Json.JsonValueKind.Object || !ScenarioPresets.All.TryGetValue(scenario, out var preset))
        {
            return null;
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var parameter in preset.Parameters)
        {
            if (!parameters.TryGetProperty(parameter.Name, out var value) || !value.TryGetDouble(out var number))
            {
                return null;
            }

            values[parameter.Name] = number;
        }

        return PlannedSeconds(scenario, values);
    }

    /// <summary>How long a scenario plans to run, all phases together (rate_limiting: at most, with its longest wait).</summary>
    public static double PlannedSeconds(string scenario, IReadOnlyDictionary<string, double> p) => scenario switch
    {
        ScenarioPresets.HighLoad or ScenarioPresets.SustainedLoad or ScenarioPresets.MemoryPressure or ScenarioPresets.ConcurrentRequests => p["duration_s"],
        ScenarioPresets.Spike => 2 * p["base_s"] + p["spike_s"],
        ScenarioPresets.FailureRecovery => p["base_s"] + p["overload_s"] + p["recovery_s"],
        // Sizes ×10 from start up to end, the last step at end itself.
        ScenarioPresets.LargeInputs => p["step_s"] * (Math.Ceiling(Math.Log10(Math.Max(1, p["input_chars_end"] / p["input_chars_start"])) - 1e-9) + 1),
        ScenarioPresets.RateLimiting => 2 * p["phase_s"] + p["max_wait_s"],
        _ => 0,
    };
}
