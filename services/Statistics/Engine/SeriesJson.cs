using System.Globalization;
using System.Text;
using System.Text.Json;

namespace BenchMesh.Statistics.Engine;

/// <summary>A line of series input that cannot be analysed, with the 1-based line number it came from.</summary>
public sealed class SeriesFormatException(int line, string message) : Exception($"line {line}: {message}")
{
    public int Line { get; } = line;
}

/// <summary>
/// The JSON-lines format of <c>benchmesh regress</c>: one series per line in, one verdict per line out
/// (docs/cli.md). Reading is strict — an unknown property, a missing field or a bad value is an error naming the
/// line — because a series silently read wrong is a verdict silently wrong.
/// </summary>
public static class SeriesJson
{
    private static readonly HashSet<string> SeriesProperties = ["id", "family", "metric", "direction", "scale", "threshold", "versions"];
    private static readonly HashSet<string> VersionProperties = ["version", "runs", "items"];

    /// <summary>Reads every non-blank line; throws <see cref="SeriesFormatException"/> at the first bad one.</summary>
    public static IReadOnlyList<SeriesInput> Read(TextReader reader, MetricRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        registry ??= MetricRegistry.Default;
        var series = new List<SeriesInput>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var parsed = ParseLine(line, lineNumber, registry);
            if (!ids.Add(parsed.Id))
            {
                throw new SeriesFormatException(lineNumber, $"the id '{parsed.Id}' was used on an earlier line.");
            }

            series.Add(parsed);
        }

        if (series.Count == 0)
        {
            throw new SeriesFormatException(Math.Max(1, lineNumber), "the input holds no series.");
        }

        return series;
    }

    public static SeriesInput ParseLine(string line, int lineNumber, MetricRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new SeriesFormatException(lineNumber, $"not valid JSON ({ex.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SeriesFormatException(lineNumber, "each line must be one JSON object.");
            }

            RejectUnknown(root, SeriesProperties, lineNumber, "series");
            var id = RequiredString(root, "id", lineNumber);
            var family = OptionalString(root, "family", lineNumber);
            var metricName = RequiredString(root, "metric", lineNumber);
            var metric = Metric(root, metricName, registry, lineNumber);
            if (!root.TryGetProperty("versions", out var versionsElement) || versionsElement.ValueKind != JsonValueKind.Array || versionsElement.GetArrayLength() == 0)
            {
                throw new SeriesFormatException(lineNumber, "'versions' must be a non-empty array.");
            }

            var versions = new List<VersionSample>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var position = 0;
            foreach (var element in versionsElement.EnumerateArray())
            {
                position++;
                var version = Version(element, position, metric, lineNumber);
                if (!names.Add(version.Version))
                {
                    throw new SeriesFormatException(lineNumber, $"version '{version.Version}' appears twice.");
                }

                versions.Add(version);
            }

            return new SeriesInput(id, family, metric, versions);
        }
    }

    private static MetricDefinition Metric(JsonElement root, string name, MetricRegistry registry, int line)
    {
        registry.TryGet(name, out var known);
        var direction = OptionalString(root, "direction", line) switch
        {
            null when known is not null => known.Direction,
            null => throw new SeriesFormatException(line, $"'{name}' is not a known metric: give its 'direction' (lower_is_better or higher_is_better)."),
            "lower_is_better" => MetricDirection.LowerIsBetter,
            "higher_is_better" => MetricDirection.HigherIsBetter,
            var other => throw new SeriesFormatException(line, $"'direction' must be lower_is_better or higher_is_better, not '{other}'."),
        };
        var scale = OptionalString(root, "scale", line) switch
        {
            null when known is not null => known.Scale,
            null => throw new SeriesFormatException(line, $"'{name}' is not a known metric: give its 'scale' (log, proportion or linear)."),
            "log" => MetricScale.Log,
            "proportion" => MetricScale.Proportion,
            "linear" => MetricScale.Linear,
            var other => throw new SeriesFormatException(line, $"'scale' must be log, proportion or linear, not '{other}'."),
        };
        double threshold;
        if (root.TryGetProperty("threshold", out var thresholdElement) && thresholdElement.ValueKind != JsonValueKind.Null)
        {
            if (thresholdElement.ValueKind != JsonValueKind.Number || !thresholdElement.TryGetDouble(out threshold) || !MetricRegistry.IsValidThreshold(scale, threshold))
            {
                throw new SeriesFormatException(line, $"'threshold': {MetricRegistry.ThresholdRule(scale)}");
            }
        }
        else if (known is not null && known.Scale == scale)
        {
            threshold = known.Threshold;
        }
        else
        {
            throw new SeriesFormatException(line, $"'{name}' has no default threshold on the {scale.ToString().ToLowerInvariant()} scale: give a 'threshold'.");
        }

        return new MetricDefinition(name, direction, scale, threshold);
    }

    private static VersionSample Version(JsonElement element, int position, MetricDefinition metric, int line)
    {
        var where = $"versions[{position - 1}]";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new SeriesFormatException(line, $"{where} must be an object.");
        }

        RejectUnknown(element, VersionProperties, line, where);
        var name = RequiredString(element, "version", line, where);
        List<double>? runs = null;
        if (element.TryGetProperty("runs", out var runsElement) && runsElement.ValueKind != JsonValueKind.Null)
        {
            runs = Numbers(runsElement, line, $"{where}.runs", metric);
        }

        Dictionary<string, IReadOnlyList<double>>? items = null;
        if (element.TryGetProperty("items", out var itemsElement) && itemsElement.ValueKind != JsonValueKind.Null)
        {
            if (itemsElement.ValueKind != JsonValueKind.Object)
            {
                throw new SeriesFormatException(line, $"{where}.items must be an object of item id → outcomes.");
            }

            items = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);
            foreach (var item in itemsElement.EnumerateObject())
            {
                items[item.Name] = Numbers(item.Value, line, $"{where}.items.{item.Name}", metric);
            }
        }

        if ((runs is null || runs.Count == 0) && (items is null || items.Count == 0))
        {
            throw new SeriesFormatException(line, $"{where} ('{name}') needs 'runs' or 'items'.");
        }

        return new VersionSample(name, runs, items);
    }

    private static List<double> Numbers(JsonElement element, int line, string where, MetricDefinition metric)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() == 0)
        {
            throw new SeriesFormatException(line, $"{where} must be a non-empty array of numbers.");
        }

        var values = new List<double>(element.GetArrayLength());
        foreach (var value in element.EnumerateArray())
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                throw new SeriesFormatException(line, $"{where} must hold numbers only.");
            }

            if (metric.Scale == MetricScale.Log && number <= 0)
            {
                throw new SeriesFormatException(line, $"{where}: {number.ToString(CultureInfo.InvariantCulture)} is not positive, and '{metric.Name}' is on the log scale.");
            }

            if (metric.Scale == MetricScale.Proportion && number is < 0 or > 1)
            {
                throw new SeriesFormatException(line, $"{where}: {number.ToString(CultureInfo.InvariantCulture)} is outside [0, 1], and '{metric.Name}' is a proportion.");
            }

            values.Add(number);
        }

        return values;
    }

    private static void RejectUnknown(JsonElement element, HashSet<string> allowed, int line, string where)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                throw new SeriesFormatException(line, $"unknown property '{property.Name}' in the {where} (allowed: {string.Join(", ", allowed)}).");
            }
        }
    }

    private static string RequiredString(JsonElement element, string name, int line, string? where = null) =>
        OptionalString(element, name, line, where) is { Length: > 0 } value
            ? value
            : throw new SeriesFormatException(line, $"{(where is null ? "" : where + ".")}'{name}' is required and must be a non-empty string.");

    private static string? OptionalString(JsonElement element, string name, int line, string? where = null)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new SeriesFormatException(line, $"{(where is null ? "" : where + ".")}'{name}' must be a string.");
    }

    /// <summary>Writes one verdict as one line of JSON (snake_case names, as the service's API).</summary>
    public static string Write(SeriesVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("id", verdict.Id);
            writer.WriteString("verdict", Name(verdict.Verdict));
            writer.WriteString("version", verdict.Version);
            writer.WriteString("decision_level", Name(verdict.DecisionLevel));
            writer.WriteStartArray("alerts");
            foreach (var alert in verdict.Alerts)
            {
                writer.WriteStartObject();
                writer.WriteString("at_version", alert.AtVersion);
                writer.WriteString("blamed_version", alert.BlamedVersion);
                writer.WriteString("path", Name(alert.Path));
                writer.WriteString("decision_level", Name(alert.DecisionLevel));
                WriteEffect(writer, alert.Effect, alert.IntervalConfidence);
                Number(writer, "p_value", alert.PValue);
                Number(writer, "q_value", alert.QValue);
                writer.WriteString("severity", Name(alert.Severity));
                writer.WriteNumber("candidate_runs", alert.CandidateRuns);
                writer.WriteNumber("baseline_runs", alert.BaselineRuns);
                writer.WriteString("baseline_from_version", alert.BaselineFromVersion);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (verdict.Effect is { } effect)
            {
                WriteEffect(writer, effect, verdict.IntervalConfidence);
            }

            Number(writer, "p_value", verdict.PValue);
            Number(writer, "q_value", verdict.QValue);
            Number(writer, "mde", verdict.MinimumDetectableEffect);
            if (verdict.AdditionalRunsNeeded is { } runs)
            {
                writer.WriteNumber("additional_runs", runs);
            }

            if (verdict.Reason is { } reason)
            {
                writer.WriteString("reason", reason);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Regressed => "regressed",
        Verdict.Improved => "improved",
        Verdict.NoChange => "no_change",
        _ => "inconclusive",
    };

    public static string Name(DecisionLevel level) => level == DecisionLevel.OneShot ? "one_shot" : "monitor";

    public static string Name(AlertPath path) => path switch
    {
        AlertPath.Gate => "gate",
        AlertPath.Confirm => "confirm",
        _ => "change_point",
    };

    public static string Name(Severity severity) => severity switch
    {
        Severity.Minor => "minor",
        Severity.Major => "major",
        _ => "critical",
    };

    private static void WriteEffect(Utf8JsonWriter writer, EffectInterval effect, double confidence)
    {
        writer.WriteStartObject("effect");
        Number(writer, "estimate", effect.Estimate);
        Number(writer, "lower", effect.Lower);
        Number(writer, "upper", effect.Upper);
        Number(writer, "confidence", confidence);
        writer.WriteEndObject();
    }

    /// <summary>Six significant digits: more would be noise, and JSON readers of every language take the exponent form.</summary>
    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is not { } number)
        {
            return;
        }

        if (!double.IsFinite(number))
        {
            writer.WriteNull(name);
            return;
        }

        writer.WritePropertyName(name);
        writer.WriteRawValue(double.Parse(number.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture));
    }
}
