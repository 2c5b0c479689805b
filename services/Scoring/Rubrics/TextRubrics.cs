using System.Text.Json;
using System.Text.RegularExpressions;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Scoring.Rubrics;

/// <summary><c>exact_match</c>: equal after trimming; case-insensitive unless <c>case_sensitive</c>.</summary>
public sealed class ExactMatchRubric(bool caseSensitive) : IRubric
{
    public static ExactMatchRubric From(JsonElement rubric) => new(RubricOptions.Bool(rubric, "case_sensitive"));

    public RubricResult Evaluate(string output, string? expected)
    {
        if (expected is null)
        {
            return RubricResult.Unscored("exact_match needs an expected value");
        }

        var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return string.Equals(output.Trim(), expected.Trim(), comparison)
            ? RubricResult.Pass("exact match")
            : RubricResult.Fail("output differs from expected");
    }
}

/// <summary><c>includes</c>: the expected value is a substring of the output; case-insensitive unless <c>case_sensitive</c>.</summary>
public sealed class IncludesRubric(bool caseSensitive) : IRubric
{
    public static IncludesRubric From(JsonElement rubric) => new(RubricOptions.Bool(rubric, "case_sensitive"));

    public RubricResult Evaluate(string output, string? expected)
    {
        if (expected is null)
        {
            return RubricResult.Unscored("includes needs an expected value");
        }

        var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return output.Contains(expected.Trim(), comparison)
            ? RubricResult.Pass("output includes expected")
            : RubricResult.Fail("expected not found in output");
    }
}

/// <summary>
/// <c>regex</c>: <c>pattern</c> (or else the expected value) matches the output. Patterns come from suite authors,
/// so matching is bounded by a timeout: a catastrophic pattern fails the sample instead of hanging the consumer.
/// </summary>
public sealed class RegexRubric(string? pattern, bool caseSensitive) : IRubric
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    public static RegexRubric From(JsonElement rubric) =>
        new(RubricOptions.String(rubric, "pattern"), RubricOptions.Bool(rubric, "case_sensitive", fallback: true));

    public RubricResult Evaluate(string output, string? expected)
    {
        var effective = pattern ?? expected;
        if (string.IsNullOrEmpty(effective))
        {
            return RubricResult.Unscored("regex needs a pattern or an expected value");
        }

        try
        {
            var options = RegexOptions.CultureInvariant | (caseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase);
            return Regex.IsMatch(output, effective, options, MatchTimeout)
                ? RubricResult.Pass("pattern matched")
                : RubricResult.Fail("pattern did not match");
        }
        catch (RegexMatchTimeoutException)
        {
            return RubricResult.Fail($"pattern timed out after {MatchTimeout.TotalSeconds:0} s");
        }
        catch (ArgumentException e)
        {
            return RubricResult.Unscored($"invalid pattern: {e.Message}");
        }
    }
}

/// <summary><c>f1</c>: token-overlap F1 (SQuAD style) between output and expected; the score is the F1 itself.</summary>
public sealed partial class F1Rubric : IRubric
{
    public static readonly F1Rubric Instance = new();

    public RubricResult Evaluate(string output, string? expected)
    {
        if (expected is null)
        {
            return RubricResult.Unscored("f1 needs an expected value");
        }

        var f1 = Score(output, expected);
        return new RubricResult(f1, $"token F1 {f1:0.###}");
    }

    public static double Score(string output, string expected)
    {
        var predicted = Tokens(output);
        var truth = Tokens(expected);
        if (predicted.Count == 0 || truth.Count == 0)
        {
            return predicted.Count == truth.Count ? 1 : 0;
        }

        // Count common tokens with multiplicity.
        var remaining = truth.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var common = 0;
        foreach (var token in predicted)
        {
            if (remaining.TryGetValue(token, out var n) && n > 0)
            {
                remaining[token] = n - 1;
                common++;
            }
        }

        if (common == 0)
        {
            return 0;
        }

        var precision = (double)common / predicted.Count;
        var recall = (double)common / truth.Count;
        return 2 * precision * recall / (precision + recall);
    }

    private static List<string> Tokens(string text) =>
        Punctuation().Replace(text.ToLowerInvariant(), " ")
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .ToList();

    [GeneratedRegex(@"[\p{P}\p{S}]")]
    private static partial Regex Punctuation();
}

/// <summary>
/// <c>model_graded</c> (shared decision 1): the Runner has a judge agent grade each measured output and sends the grade
/// as <see cref="RawSample.Judgement"/>; this rubric only reads it. A sample without a grade (the judge failed or its
/// answer could not be parsed, or no judgement came at all) is unscored: it lowers completeness and is never counted
/// as a 0 in accuracy. A grade counts as correct from <c>pass_threshold</c> (default 0.5).
/// </summary>
public sealed class ModelGradedRubric(double passThreshold) : IRubric
{
    public double PassThreshold { get; } = passThreshold;

    public static ModelGradedRubric From(JsonElement rubric)
    {
        var threshold = RubricOptions.Number(rubric, "pass_threshold", RubricResult.DefaultPassThreshold);
        return new ModelGradedRubric(double.IsFinite(threshold) ? Math.Clamp(threshold, 0, 1) : RubricResult.DefaultPassThreshold);
    }

    /// <summary>Without its sample's judgement a model-graded output cannot be judged here.</summary>
    public RubricResult Evaluate(string output, string? expected) => Grade(null);

    public RubricResult Grade(Judgement? judgement)
    {
        if (judgement is null)
        {
            return RubricResult.Unscored("model_graded: the runner sent no judgement for this sample");
        }

        if (judgement.Score is not { } grade || !double.IsFinite(grade))
        {
            var why = judgement.Error ?? judgement.Reason ?? "no grade";
            return RubricResult.Unscored($"model_graded: ungradable ({why})");
        }

        var score = Math.Clamp(grade, 0, 1);
        var reason = string.IsNullOrWhiteSpace(judgement.Reason) ? $"judge grade {score:0.###}" : $"judge grade {score:0.###}: {judgement.Reason}";
        return new RubricResult(score, reason, Scored: true, PassThreshold);
    }
}
