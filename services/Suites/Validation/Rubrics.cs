using System.Text.Json;
using System.Text.RegularExpressions;
using BenchMesh.Contracts.Runs;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.Suites.Validation;

/// <summary>
/// Checks a scoring rubric when the suite is created, so that a run never fails on a rubric Scoring cannot
/// apply (an unknown type, a regex that does not compile, a schema that is not an object or whose keywords have the
/// wrong types, a model-graded rubric without a judge).
/// </summary>
/// <remarks>
/// Rubrics are free-form beyond the keys each type reads: another key is kept as given and ignored by Scoring, so
/// that a suite can carry notes or settings of a newer BenchMesh (docs/api.md says so).
/// </remarks>
public static class RubricValidator
{
    public static void Validate(JsonElement? rubric, string path, bool required, ValidationErrors errors)
    {
        if (rubric is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } value)
        {
            if (required)
            {
                errors.Add(path, "is required.");
            }

            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be a JSON object.");
            return;
        }

        if (!value.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path}.type", "is required.");
            return;
        }

        switch (type.GetString())
        {
            case RubricTypes.ExactMatch or RubricTypes.Includes:
                OptionalBoolean(value, "case_sensitive", path, errors);
                break;
            case RubricTypes.Regex:
                ValidatePattern(value, path, errors);
                break;
            case RubricTypes.NumericTolerance:
                // A missing tolerance means an exact numeric comparison (0).
                if (value.TryGetProperty("tolerance", out var tolerance)
                    && (tolerance.ValueKind != JsonValueKind.Number || !tolerance.TryGetDouble(out var t) || t < 0 || double.IsInfinity(t)))
                {
                    errors.Add($"{path}.tolerance", "must be a number greater than or equal to 0.");
                }

                OptionalBoolean(value, "relative", path, errors);
                break;
            case RubricTypes.JsonSchema:
                if (!value.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"{path}.schema", "is required and must be a JSON object.");
                }
                else
                {
                    JsonSchemaKeywords.Validate(schema, $"{path}.schema", errors);
                }

                break;
            case RubricTypes.F1:
                break;
            case RubricTypes.ModelGraded:
                ValidateModelGraded(value, path, errors);
                break;
            default:
                errors.Add($"{path}.type", $"must be one of: {string.Join(", ", RubricTypes.All)}.");
                break;
        }
    }

    /// <summary>
    /// The judge of a <c>model_graded</c> rubric: <c>judge_agent_id</c> (required, a UUID),
    /// <c>judge_version</c> (empty = the judge's latest), <c>prompt</c> (a template with <c>{input}</c>, <c>{output}</c>,
    /// <c>{expected}</c>; empty = the Runner's default), <c>pass_threshold</c> in [0, 1]. That the agent exists and
    /// speaks openai-chat is checked against the registry by <see cref="Apis.SuitesApi"/>.
    /// </summary>
    private static void ValidateModelGraded(JsonElement rubric, string path, ValidationErrors errors)
    {
        if (!rubric.TryGetProperty("judge_agent_id", out var judge) || judge.ValueKind != JsonValueKind.String
            || !Guid.TryParse(judge.GetString(), out _))
        {
            errors.Add($"{path}.judge_agent_id", "is required: the agent_id (a UUID) of a registered openai-chat agent that grades the answers.");
        }

        OptionalString(rubric, "judge_version", Data.Limits.VersionLength, path, errors);
        OptionalString(rubric, "prompt", MaxJudgePromptLength, path, errors);
        if (rubric.TryGetProperty("pass_threshold", out var threshold)
            && (threshold.ValueKind != JsonValueKind.Number || !threshold.TryGetDouble(out var t) || t is < 0 or > 1))
        {
            errors.Add($"{path}.pass_threshold", "must be a number between 0 and 1.");
        }
    }

    /// <summary>A judge prompt template's length bound: a long rubric, not a document.</summary>
    public const int MaxJudgePromptLength = 16_000;

    private static void OptionalString(JsonElement rubric, string name, int maxLength, string path, ValidationErrors errors)
    {
        if (rubric.TryGetProperty(name, out var value)
            && (value.ValueKind != JsonValueKind.String || value.GetString()!.Length > maxLength))
        {
            errors.Add($"{path}.{name}", $"must be a string of at most {maxLength} characters.");
        }
    }

    private static void ValidatePattern(JsonElement rubric, string path, ValidationErrors errors)
    {
        if (!rubric.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.String
            || string.IsNullOrEmpty(pattern.GetString()))
        {
            errors.Add($"{path}.pattern", "is required.");
            return;
        }

        try
        {
            _ = new Regex(pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            errors.Add($"{path}.pattern", $"is not a valid regular expression: {e.Message}");
        }
    }

    private static void OptionalBoolean(JsonElement rubric, string name, string path, ValidationErrors errors)
    {
        if (rubric.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add($"{path}.{name}", "must be true or false.");
        }
    }
}
