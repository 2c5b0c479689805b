using System.Globalization;

namespace BenchMesh.LoadEngine.Scheduling;

/// <summary>
/// One stage of a ramp, k6-style: over <see cref="Duration"/> the target (a rate in requests per second, or a number
/// of virtual users) moves linearly from where the previous stage ended to <see cref="Target"/>.
/// </summary>
public sealed record Stage(TimeSpan Duration, double Target)
{
    /// <summary>
    /// Parses <c>30s:100,1m:500</c> (duration:target, comma-separated) into stages.
    /// </summary>
    /// <exception cref="FormatException">A stage is not <c>duration:target</c> with a positive duration and a non-negative target.</exception>
    public static IReadOnlyList<Stage> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stages = new List<Stage>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split(':', StringSplitOptions.TrimEntries);
            if (pieces.Length != 2 || !DurationText.TryParse(pieces[0], out var duration) || duration <= TimeSpan.Zero
                || !double.TryParse(pieces[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var target) || target < 0 || !double.IsFinite(target))
            {
                throw new FormatException($"stage '{part}' is not duration:target, e.g. 30s:100 (a positive duration, a non-negative target).");
            }

            stages.Add(new Stage(duration, target));
        }

        return stages.Count > 0 ? stages : throw new FormatException($"'{text}' has no stages: write e.g. 10s:100,20s:500.");
    }
}
