using System.Text.Json;

namespace BenchMesh.Scoring.Rubrics;

/// <summary>The verdict on one output: a score in [0, 1] and why. <see cref="Scored"/> is false when the
/// output could not be judged (e.g. a model-graded sample the judge could not grade), so it is left out of accuracy.
/// <see cref="PassThreshold"/> is the score from which the output counts as correct (a model-graded rubric's
/// <c>pass_threshold</c>; 0.5 for the others).</summary>
public sealed record RubricResult(double Score, string Reason, bool Scored = true, double PassThreshold = RubricResult.DefaultPassThreshold)
{
    /// <summary>An output counts as correct at or above this score unless its rubric says otherwise.</summary>
    public const double DefaultPassThreshold = 0.5;

    /// <summary>Judged correct: scored, and at or above the pass threshold.</summary>
    public bool Correct => Scored && Score >= PassThreshold;

    public static RubricResult Pass(string reason) => new(1, reason);
    public static RubricResult Fail(string reason) => new(0, reason);
    public static RubricResult Unscored(string reason) => new(0, reason, Scored: false);
}

/// <summary>Judges one output against an item's expected value.</summary>
public interface IRubric
{
    RubricResult Evaluate(string output, string? expected);
}

/// <summary>Reads optional settings from a rubric's JSON object.</summary>
internal static class RubricOptions
{
    public static bool Bool(JsonElement rubric, string name, bool fallback = false) =>
        rubric.ValueKind == JsonValueKind.Object && rubric.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : fallback;

    public static double Number(JsonElement rubric, string name, double fallback) =>
        rubric.ValueKind == JsonValueKind.Object && rubric.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : fallback;

    public static string? String(JsonElement rubric, string name) =>
        rubric.ValueKind == JsonValueKind.Object && rubric.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;
}
