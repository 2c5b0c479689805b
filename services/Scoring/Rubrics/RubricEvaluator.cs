using System.Text.Json;
using BenchMesh.Contracts.Runs;

namespace BenchMesh.Scoring.Rubrics;

/// <summary>Picks the rubric for a sample (the item's overrides the benchmark's) and judges the output.</summary>
public static class RubricEvaluator
{
    /// <summary>The rubric described by a <c>scoring_rubric</c> JSON object, or null when the JSON or the type is not understood.</summary>
    public static IRubric? Create(string? rubricJson)
    {
        if (string.IsNullOrWhiteSpace(rubricJson))
        {
            return null;
        }

        JsonElement rubric;
        try
        {
            using var document = JsonDocument.Parse(rubricJson);
            rubric = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }

        return RubricOptions.String(rubric, "type")?.Trim().ToLowerInvariant() switch
        {
            RubricTypes.ExactMatch => ExactMatchRubric.From(rubric),
            RubricTypes.Includes => IncludesRubric.From(rubric),
            RubricTypes.Regex => RegexRubric.From(rubric),
            RubricTypes.NumericTolerance => NumericToleranceRubric.From(rubric),
            RubricTypes.JsonSchema => JsonSchemaRubric.From(rubric),
            RubricTypes.F1 => F1Rubric.Instance,
            RubricTypes.ModelGraded => ModelGradedRubric.Instance,
            _ => null,
        };
    }

    /// <summary>Judges one raw sample. A failed call scores 0 whatever the rubric.</summary>
    public static RubricResult Evaluate(RawSample sample, DatasetItem? item, string benchmarkRubricJson)
    {
        if (sample.ErrorKind is not null)
        {
            return RubricResult.Fail($"call failed: {sample.ErrorKind}");
        }

        var rubricJson = string.IsNullOrWhiteSpace(item?.RubricJson) ? benchmarkRubricJson : item.RubricJson;
        if (Create(rubricJson) is not { } rubric)
        {
            return RubricResult.Unscored("unknown or invalid rubric");
        }

        return rubric.Evaluate(sample.Output ?? "", item?.Expected);
    }
}
