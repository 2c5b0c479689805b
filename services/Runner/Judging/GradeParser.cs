using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BenchMesh.Runner.Judging;

/// <summary>
/// Reads a judge's grade: a JSON object <c>{"grade": 0.8, "reason": "…"?}</c> (also inside a Markdown code fence), or
/// else the last line of the form <c>GRADE: 0.8</c> (case-insensitive, Markdown emphasis allowed), whose preceding
/// text is the reason. A grade outside [0, 1], or an answer with none, is ungradable: never a 0.
/// </summary>
public static partial class GradeParser
{
    private const int MaxReasonChars = 1000;

    public sealed record Grade(double? Score, string? Reason, string? Error);

    public static Grade Parse(string? answer)
    {
        var text = answer?.Trim() ?? "";
        if (FromJson(text) is { } json)
        {
            return json;
        }

        var matches = GradeLine().Matches(text);
        if (matches.Count == 0)
        {
            return new Grade(null, null, $"The judge's answer has no 'GRADE: <0..1>' line nor a JSON grade: {Shorten(text)}");
        }

        var last = matches[^1];
        var score = double.Parse(last.Groups["grade"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return InRange(score, Shorten(text[..last.Index].Trim()));
    }

    private static Grade? FromJson(string text)
    {
        var fenced = CodeFence().Match(text);
        var candidate = fenced.Success ? fenced.Groups["json"].Value : text;
        if (!candidate.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(candidate);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("grade", out var grade))
            {
                return null;
            }

            var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? Shorten(r.GetString()!) : null;
            return grade.ValueKind == JsonValueKind.Number
                ? InRange(grade.GetDouble(), reason)
                : new Grade(null, reason, $"The judge's \"grade\" is not a number: {Shorten(grade.GetRawText())}");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Grade InRange(double score, string? reason) =>
        score is >= 0 and <= 1 && double.IsFinite(score)
            ? new Grade(score, string.IsNullOrEmpty(reason) ? null : reason, null)
            : new Grade(null, reason, $"The judge's grade {score.ToString(CultureInfo.InvariantCulture)} is outside [0, 1].");

    private static string Shorten(string text) => text.Length > MaxReasonChars ? text[..MaxReasonChars] + "…" : text;

    [GeneratedRegex(@"^[\s*_#>-]*GRADE[\s*_]*[:=][\s*_]*(?<grade>-?\d+(?:\.\d+)?)[\s*_.]*$", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex GradeLine();

    [GeneratedRegex(@"```(?:json)?\s*(?<json>\{.*\})\s*```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex CodeFence();
}
