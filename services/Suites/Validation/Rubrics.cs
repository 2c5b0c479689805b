using System.Text.Json;
using System.Text.RegularExpressions;
using BenchMesh.Contracts.Runs;
using BenchMesh.ServiceDefaults;

namespace BenchMesh.Suites.Validation;

/// <summary>
/// Checks a scoring rubric when the suite is created, so that a run never fails on a rubric Scoring cannot
/// apply (an unknown type, a regex that does not compile, a schema that is not an object or whose keywords have the
/// wrong types).
/// </summary>
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
            case RubricTypes.F1 or RubricTypes.ModelGraded:
                break;
            default:
                errors.Add($"{path}.type", $"must be one of: {string.Join(", ", RubricTypes.All)}.");
                break;
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
