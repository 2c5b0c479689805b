namespace BenchMesh.Datasets;

/// <summary>
/// Which field (JSONL) or column (CSV) holds each part of an item; for promptfoo, which <c>vars</c> entry is the input
/// and which the id. Written on the command line as <c>input=question,expected=answer,id=qid</c>.
/// A field named here must be present on every line; a field left at its default is optional (except the input).
/// </summary>
public sealed record FieldMapping
{
    public const string IdKey = "id";
    public const string InputKey = "input";
    public const string ExpectedKey = "expected";
    public const string AcceptedOutputsKey = "accepted_outputs";
    public const string ScoringRubricKey = "scoring_rubric";

    public static readonly IReadOnlyList<string> Keys = [IdKey, InputKey, ExpectedKey, AcceptedOutputsKey, ScoringRubricKey];

    public static readonly FieldMapping Default = new();

    public string? Id { get; init; }
    public string? Input { get; init; }
    public string? Expected { get; init; }
    public string? AcceptedOutputs { get; init; }
    public string? ScoringRubric { get; init; }

    /// <summary>Whether any key was mapped explicitly.</summary>
    public bool IsEmpty => this == Default;

    /// <summary>The field that holds <paramref name="key"/>: the mapped one, else the key itself.</summary>
    public string FieldFor(string key) => Explicit(key) ?? key;

    /// <summary>The field mapped explicitly to <paramref name="key"/>, or null.</summary>
    public string? Explicit(string key) => key switch
    {
        IdKey => Id,
        InputKey => Input,
        ExpectedKey => Expected,
        AcceptedOutputsKey => AcceptedOutputs,
        ScoringRubricKey => ScoringRubric,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "not a mapping key"),
    };

    /// <summary>Parses <c>key=field,key=field</c>; an unknown key, a repeated key or an empty field is an error.</summary>
    public static FieldMapping Parse(string? text)
    {
        var mapping = Default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return mapping;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals].Trim();
            var field = equals < 0 ? "" : part[(equals + 1)..].Trim();
            if (!Keys.Contains(key))
            {
                throw new DatasetFormatException($"mapping: '{key}' is not a mapping key (use {string.Join(", ", Keys)})");
            }

            if (field.Length == 0)
            {
                throw new DatasetFormatException($"mapping: '{key}' needs a field name, as in {key}=column");
            }

            if (!seen.Add(key))
            {
                throw new DatasetFormatException($"mapping: '{key}' is mapped twice");
            }

            mapping = key switch
            {
                IdKey => mapping with { Id = field },
                InputKey => mapping with { Input = field },
                ExpectedKey => mapping with { Expected = field },
                AcceptedOutputsKey => mapping with { AcceptedOutputs = field },
                _ => mapping with { ScoringRubric = field },
            };
        }

        return mapping;
    }
}
