using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Runner.Judging;

/// <summary>The judge's prompt: a template with <c>{input}</c>, <c>{output}</c> and <c>{expected}</c> placeholders.</summary>
public static partial class JudgePrompt
{
    /// <summary>
    /// Used when the rubric has no <c>prompt</c>. The parts are fenced by tags so that a task or an answer that
    /// contains instructions reads as data, and the answer must end with a line the runner parses (<see cref="GradeParser"/>).
    /// </summary>
    public const string DefaultTemplate = """
        You are grading an AI agent's answer to a task.

        <task>
        {input}
        </task>

        <reference_answer>
        {expected}
        </reference_answer>

        <agent_answer>
        {output}
        </agent_answer>

        Judge whether the agent's answer correctly and completely accomplishes the task. When a reference answer is
        given it is correct (one per line when several are acceptable), and an answer that means the same counts as
        matching it. Grade from 0 (wrong, irrelevant or missing) to 1 (fully correct), with partial credit in between.
        Explain your reasoning in at most three sentences, then end with a final line of exactly this form:
        GRADE: <a number from 0 to 1>
        """;

    /// <summary>
    /// The template with its placeholders replaced in one pass, so that an output containing <c>{expected}</c> is not
    /// itself expanded. <c>{expected}</c> is every accepted answer, one per line, or <c>(none)</c>.
    /// </summary>
    public static string Render(string template, DatasetItem item, string? output)
    {
        var expected = item.AcceptedOutputs is { Count: > 0 } accepted ? string.Join('\n', accepted) : item.Expected;
        return Placeholder().Replace(template, m => m.Groups[1].Value switch
        {
            "input" => item.Input,
            "output" => output ?? "",
            _ => string.IsNullOrEmpty(expected) ? "(none)" : expected,
        });
    }

    /// <summary>SHA-256 (lowercase hex) of the template as used, so grades from different prompts are not mixed.</summary>
    public static string Sha256(string template) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template)));

    [GeneratedRegex(@"\{(input|output|expected)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
