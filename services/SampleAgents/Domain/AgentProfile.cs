using System.Globalization;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.SampleAgents.Domain;

/// <summary>How a sample agent behaves: configuration section <c>SampleAgents:Profiles:{name}</c>.</summary>
public sealed record AgentProfile
{
    public double LatencyMs { get; init; }
    public double LatencyJitterMs { get; init; }

    /// <summary>Probability (0..1) of answering correctly.</summary>
    public double Accuracy { get; init; } = 1;

    /// <summary>Probability (0..1) of failing the call with HTTP 500.</summary>
    public double ErrorRate { get; init; }

    /// <summary>
    /// Plays a <c>model_graded</c> judge instead of solving tasks: grades the answer in the runner's judge prompt
    /// (<see cref="JudgeGrader"/>); <see cref="Accuracy"/> is then the probability of grading right.
    /// </summary>
    public bool Judge { get; init; }
}

public sealed class SampleAgentsOptions
{
    public const string Section = "SampleAgents";

    public Dictionary<string, AgentProfile> Profiles { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Per-request overrides from the query string (<c>?latency_ms=&amp;accuracy=&amp;error_rate=</c>).</summary>
public sealed record ProfileOverrides(string? LatencyMs, string? LatencyJitterMs, string? Accuracy, string? ErrorRate);

/// <summary>Finds a named profile and applies the request's overrides to it.</summary>
public sealed class ProfileResolver(IReadOnlyDictionary<string, AgentProfile> profiles)
{
    private readonly Dictionary<string, AgentProfile> _profiles = new(profiles, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => _profiles.Keys;

    /// <summary>
    /// Null profile and valid errors: the profile is unknown. Non-empty errors: an override is not a number in range.
    /// </summary>
    public (AgentProfile? Profile, ValidationErrors Errors) Resolve(string name, ProfileOverrides overrides)
    {
        var errors = new ValidationErrors();
        if (!_profiles.TryGetValue(name, out var profile))
        {
            return (null, errors);
        }

        var latency = Parse(errors, "latency_ms", overrides.LatencyMs, 0, 60_000);
        var jitter = Parse(errors, "latency_jitter_ms", overrides.LatencyJitterMs, 0, 60_000);
        var accuracy = Parse(errors, "accuracy", overrides.Accuracy, 0, 1);
        var errorRate = Parse(errors, "error_rate", overrides.ErrorRate, 0, 1);
        if (!errors.IsValid)
        {
            return (null, errors);
        }

        return (profile with
        {
            LatencyMs = latency ?? profile.LatencyMs,
            // An explicit latency without an explicit jitter means "exactly this latency".
            LatencyJitterMs = jitter ?? (latency is null ? profile.LatencyJitterMs : 0),
            Accuracy = accuracy ?? profile.Accuracy,
            ErrorRate = errorRate ?? profile.ErrorRate,
        }, errors);
    }

    private static double? Parse(ValidationErrors errors, string field, string? raw, double min, double max)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add(field, "must be a number.");
            return null;
        }

        errors.Range(field, value, min, max);
        return value;
    }
}
