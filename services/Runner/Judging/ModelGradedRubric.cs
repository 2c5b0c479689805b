using System.Text.Json;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Runner.Judging;

/// <summary>
/// A <c>model_graded</c> rubric (the shape Suites validates): <c>{"type":"model_graded", "judge_agent_id":"…",
/// "judge_version":"…"?, "prompt":"…"?, "pass_threshold":0.5?}</c>. The runner needs the judge and the prompt; the
/// threshold is Scoring's.
/// </summary>
/// <param name="JudgeAgentId">Empty when the rubric names no valid judge (every grade then fails with an error).</param>
/// <param name="JudgeVersion">Null or empty: the judge's latest version.</param>
/// <param name="Prompt">Null: <see cref="JudgePrompt.DefaultTemplate"/>.</param>
public sealed record ModelGradedRubric(Guid JudgeAgentId, string? JudgeVersion, string? Prompt)
{
    /// <summary>The template the judge is asked with.</summary>
    public string EffectiveTemplate => string.IsNullOrWhiteSpace(Prompt) ? JudgePrompt.DefaultTemplate : Prompt;

    /// <summary>The rubric if <paramref name="rubricJson"/> is a <c>model_graded</c> one; null for every other rubric.</summary>
    public static ModelGradedRubric? Parse(string? rubricJson)
    {
        if (string.IsNullOrWhiteSpace(rubricJson))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(rubricJson);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || type.GetString() != RubricTypes.ModelGraded)
            {
                return null;
            }

            var judge = root.TryGetProperty("judge_agent_id", out var id) && id.ValueKind == JsonValueKind.String
                && Guid.TryParse(id.GetString(), out var judgeId) ? judgeId : Guid.Empty;
            return new ModelGradedRubric(judge, Text(root, "judge_version"), Text(root, "prompt"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
