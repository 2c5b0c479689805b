namespace BenchMesh.Contracts.Runs;

/// <summary>
/// The rubric type names of the public API (<c>scoring_rubric.type</c>, DESIGN.md "Rubrics"): Suites accepts
/// exactly these, Scoring applies them.
/// </summary>
public static class RubricTypes
{
    public const string ExactMatch = "exact_match";
    public const string Includes = "includes";
    public const string Regex = "regex";
    public const string NumericTolerance = "numeric_tolerance";
    public const string JsonSchema = "json_schema";
    public const string F1 = "f1";
    public const string ModelGraded = "model_graded";

    public static readonly IReadOnlyList<string> All = [ExactMatch, Includes, Regex, NumericTolerance, JsonSchema, F1, ModelGraded];
}
