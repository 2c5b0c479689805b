using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace BenchMesh.Datasets;

/// <summary>
/// Turns a YAML document into the JSON it stands for, so that suite and agent files may be written in YAML and still
/// be sent as the API's JSON. Plain scalars are typed by the YAML 1.2 core schema (null, true/false, integers,
/// decimals, 0x and 0o integers); quoted and block scalars, and those tagged <c>!!str</c>, are strings.
/// </summary>
public static partial class YamlJson
{
    private const string StringTag = "tag:yaml.org,2002:str";

    /// <exception cref="FormatException">Not one YAML document that JSON can represent; the message names the line.</exception>
    public static JsonNode Parse(TextReader reader) =>
        Convert(Load(reader)) ?? throw new FormatException("the YAML document is empty");

    /// <summary>The root node of the one document <paramref name="reader"/> holds (for callers that need node lines).</summary>
    /// <exception cref="FormatException">Not one YAML document; the message names the line.</exception>
    internal static YamlNode Load(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new FormatException($"line {ex.Start.Line}: {ex.Message}", ex);
        }

        return stream.Documents.Count switch
        {
            0 => throw new FormatException("the YAML file is empty"),
            1 => stream.Documents[0].RootNode,
            _ => throw new FormatException($"line {stream.Documents[1].RootNode.Start.Line}: the YAML file holds several documents; give one"),
        };
    }

    /// <exception cref="FormatException">A node JSON cannot represent; the message names the line.</exception>
    internal static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new FormatException($"line {key.Start.Line}: a mapping key must be a plain string");
                    }

                    obj[name] = Convert(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                return new JsonArray([.. sequence.Children.Select(Convert)]);
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new FormatException($"line {node.Start.Line}: this YAML node has no JSON form");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag))
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text[0] is 't' or 'T');
        }

        if (Hexadecimal().IsMatch(text) || Octal().IsMatch(text))
        {
            var value = System.Convert.ToInt64(text[2..], text[1] == 'x' ? 16 : 8);
            return JsonValue.Create(value);
        }

        if (Number().IsMatch(text))
        {
            if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
            {
                return JsonValue.Create(exact);
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var approximate) && double.IsFinite(approximate))
            {
                return JsonValue.Create(approximate);
            }
        }

        if (text is ".inf" or ".Inf" or ".INF" or "+.inf" or "-.inf" or ".nan" or ".NaN" or ".NAN")
        {
            throw new FormatException($"line {scalar.Start.Line}: '{text}' has no JSON form");
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex("^0x[0-9a-fA-F]{1,15}$", RegexOptions.CultureInvariant)]
    private static partial Regex Hexadecimal();

    [GeneratedRegex("^0o[0-7]{1,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex Octal();
}
