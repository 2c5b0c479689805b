using System.Globalization;

namespace BenchMesh.LoadEngine;

/// <summary>Durations written the way load tools write them: <c>500us</c>, <c>250ms</c>, <c>10s</c>, <c>2m</c>, <c>1h</c>.</summary>
public static class DurationText
{
    private static readonly (string Suffix, double Milliseconds)[] Units =
        [("us", 0.001), ("µs", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];

    /// <summary>Parses a non-negative number followed by a unit; false for anything else (a bare number is not a duration).</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        // Longest suffixes first, so "ms" is not read as "m" + "s".
        foreach (var (suffix, milliseconds) in Units.OrderByDescending(u => u.Suffix.Length))
        {
            if (trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(trimmed[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value >= 0 && double.IsFinite(value))
            {
                duration = TimeSpan.FromMilliseconds(value * milliseconds);
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses like <see cref="TryParse"/>, throwing a <see cref="FormatException"/> that quotes the text.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"'{text}' is not a duration: write a number and a unit, e.g. 500ms, 10s, 2m.");
}
