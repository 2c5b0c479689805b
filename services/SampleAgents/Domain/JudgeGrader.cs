using System.Text.RegularExpressions;

namespace BenchMesh.SampleAgents.Domain;

/// <summary>
/// The sample judge: reads a prompt in the shape of the runner's default judge template (the task, the reference
/// answer and the agent's answer fenced by <c>&lt;task&gt;</c>, <c>&lt;reference_answer&gt;</c> and
/// <c>&lt;agent_answer&gt;</c>) and grades 1 when the agent's answer matches a reference answer (one per line; without
/// one, its own solution of the task), 0 otherwise, ending with a <c>GRADE: x</c> line. A prompt without an agent's
/// answer gets a refusal without a grade, as a real model asked something it cannot grade might answer.
/// </summary>
public static class JudgeGrader
{
    public const string CannotGrade = "I cannot grade this: the prompt contains no <agent_answer> to grade.";

    /// <summary>The grade as the right answer, and the opposite grade as the "mistaken" one.</summary>
    public static Solution Grade(string prompt)
    {
        var answer = Section(prompt, "agent_answer");
        if (answer is null)
        {
            return new Solution(CannotGrade, CannotGrade);
        }

        var reference = Section(prompt, "reference_answer") is { } given && given != "(none)"
            ? given.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [TaskSolver.Solve(Section(prompt, "task") ?? "").Answer];
        var matches = reference.Any(r => string.Equals(r, answer, StringComparison.OrdinalIgnoreCase));
        const string Match = "The answer matches the reference answer.\nGRADE: 1";
        const string Mismatch = "The answer does not match the reference answer.\nGRADE: 0";
        return matches ? new Solution(Match, Mismatch) : new Solution(Mismatch, Match);
    }

    private static string? Section(string prompt, string tag) =>
        Regex.Match(prompt, $"<{tag}>(?<text>.*?)</{tag}>", RegexOptions.Singleline | RegexOptions.CultureInvariant) is { Success: true } m
            ? m.Groups["text"].Value.Trim()
            : null;
}
