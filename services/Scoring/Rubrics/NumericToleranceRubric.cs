using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BenchMesh.Scoring.Rubrics;

/// <summary>
/// <c>numeric_tolerance</c>: the first number in the output (parsed invariantly, so "The answer is 19." gives 19)
/// is within <c>tolerance</c> of the expected number: absolutely, or relative to |expected| when <c>relative</c>.
/// </summary>
public sealed partial class NumericToleranceRubric(double tolerance, bool relative) : IRubric
{
    public static NumericToleranceRubric From(JsonElement rubric) =>
        new(Math.Abs(RubricOptions.Number(rubric, "tolerance", 0)), RubricOptions.Bool(rubric, "relative"));

    public RubricResult Evaluate(string output, string? expected)
    {
        if (FirstNumber(expected) is not { } target)
        {
            return RubricResult.Unscored("expected value is not a number");
        }

        if (FirstNumber(output) is not { } actual)
        {
            return RubricResult.Fail("no number in output");
        }

        var allowed = relative ? tolerance * Math.Abs(target) : tolerance;
        var difference = Math.Abs(actual - target);

        // A small epsilon so that e.g. 0.1 + 0.2 against 0.3 with tolerance 0 still passes.
        return difference <= allowed + 1e-9 * Math.Max(1, Math.Abs(target))
            ? RubricResult.Pass($"{actual.ToString(CultureInfo.InvariantCulture)} within tolerance")
            : RubricResult.Fail($"{actual.ToString(CultureInfo.InvariantCulture)} differs from {target.ToString(CultureInfo.InvariantCulture)} by {difference.ToString("G4", CultureInfo.InvariantCulture)}");
    }

    /// <summary>The first number in the text: optional sign, digits with optional thousands commas, decimals, exponent.</summary>
    public static double? FirstNumber(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var match = Number().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var value = match.Value.Replace(",", "", StringComparison.Ordinal);
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    [GeneratedRegex(@"[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}
