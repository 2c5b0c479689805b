using System.Runtime.ExceptionServices;
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
            RubricTypes.ModelGraded => ModelGradedRubric.From(rubric),
            _ => null,
        };
    }

    /// <summary>
    /// Judges one raw sample. A failed call scores 0 whatever the rubric. Never throws: a rubric that fails on this
    /// output (e.g. a schema keyword of the wrong type from a suite stored before Suites checked them) leaves this
    /// sample unscored with the reason, instead of failing the whole execution's message on every retry.
    /// </summary>
    public static RubricResult Evaluate(RawSample sample, DatasetItem? item, string benchmarkRubricJson) =>
        Evaluate(sample, item, benchmarkRubricJson, new RubricCache());

    /// <inheritdoc cref="Evaluate(RawSample, DatasetItem?, string)"/>
    /// <param name="rubrics">Rubrics already created for this message: its samples mostly share one rubric.</param>
    public static RubricResult Evaluate(RawSample sample, DatasetItem? item, string benchmarkRubricJson, RubricCache rubrics)
    {
        ArgumentNullException.ThrowIfNull(rubrics);
        if (sample.ErrorKind is not null)
        {
            return RubricResult.Fail($"call failed: {sample.ErrorKind}");
        }

        var rubricJson = string.IsNullOrWhiteSpace(item?.RubricJson) ? benchmarkRubricJson : item.RubricJson;
        try
        {
            if (rubrics.GetOrCreate(rubricJson) is not { } rubric)
            {
                return RubricResult.Unscored("unknown or invalid rubric");
            }

            if (rubric is ModelGradedRubric graded)
            {
                return graded.Grade(sample.Judgement);
            }

            var output = sample.Output ?? "";
            if (item?.AcceptedOutputs is not { Count: > 1 } accepted)
            {
                return rubric.Evaluate(output, item?.Expected);
            }

            // Several acceptable answers (expected_outputs): the best verdict against any of them, a scored one first.
            return accepted.Select(expected => rubric.Evaluate(output, expected))
                .OrderByDescending(r => r.Scored).ThenByDescending(r => r.Score).First();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Any failure of a rubric is a verdict on this sample, not on the message.
            return RubricResult.Unscored($"rubric could not be applied: {e.Message}");
        }
    }
}

/// <summary>
/// The rubrics of one message, each created once from its JSON: a message can carry 100,000 samples sharing the
/// benchmark's rubric, and parsing it for each would dominate scoring. What <see cref="RubricEvaluator.Create"/>
/// threw is kept too and rethrown for every sample using that rubric, so each gets the same reason as before.
/// Not thread-safe: one per message, used by one consumer.
/// </summary>
public sealed class RubricCache
{
    private readonly Dictionary<string, (IRubric? Rubric, ExceptionDispatchInfo? Error)> _created = new(StringComparer.Ordinal);

    public IRubric? GetOrCreate(string? rubricJson)
    {
        if (string.IsNullOrWhiteSpace(rubricJson))
        {
            return null;
        }

        if (!_created.TryGetValue(rubricJson, out var created))
        {
            try
            {
                created = (RubricEvaluator.Create(rubricJson), null);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                created = (null, ExceptionDispatchInfo.Capture(e));
            }

            _created[rubricJson] = created;
        }

        created.Error?.Throw();
        return created.Rubric;
    }
}
